using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Integration.Tests.Registry;

/// <summary>
/// A hostile or picky registry on 127.0.0.1 (HttpListener): each test supplies the handler. Requests are recorded as
/// "METHOD /path?query | Authorization".
/// </summary>
public sealed class StubRegistry : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Func<HttpListenerContext, Task> handler;
    private readonly Task loop;
    private readonly List<string> seen = [];

    public StubRegistry(Func<HttpListenerContext, Task> handler)
    {
        this.handler = handler;
        Port = LocalRegistry.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Start();
        loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Host => "127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<string> Seen
    {
        get
        {
            lock (seen)
            {
                return [.. seen];
            }
        }
    }

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static async Task ReplyAsync(HttpListenerContext ctx, int status, string? contentType = null, byte[]? body = null,
        IDictionary<string, string>? headers = null)
    {
        ctx.Response.StatusCode = status;
        if (contentType is not null)
        {
            ctx.Response.ContentType = contentType;
        }

        foreach (var h in headers ?? new Dictionary<string, string>())
        {
            ctx.Response.Headers[h.Key] = h.Value;
        }

        body ??= [];
        ctx.Response.ContentLength64 = body.Length;
        if (ctx.Request.HttpMethod != "HEAD")
        {
            await ctx.Response.OutputStream.WriteAsync(body);
        }

        ctx.Response.Close();
    }

    public static Task ReplyJsonAsync(HttpListenerContext ctx, int status, string json, string contentType = "application/json",
        IDictionary<string, string>? headers = null) =>
        ReplyAsync(ctx, status, contentType, Encoding.UTF8.GetBytes(json), headers);

    public static Task NotFoundAsync(HttpListenerContext ctx) =>
        ReplyJsonAsync(ctx, 404, """{"errors":[{"code":"NOT_FOUND","message":"not here"}]}""");

    public async ValueTask DisposeAsync()
    {
        // Close only once: the managed HttpListener's Close after Stop looks the port up again and re-binds it,
        // which fails with "Address already in use" when another test has taken the freed port meanwhile.
        listener.Close();
        try
        {
            await loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            lock (seen)
            {
                seen.Add($"{ctx.Request.HttpMethod} {ctx.Request.Url!.PathAndQuery} | {ctx.Request.Headers["Authorization"]}");
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await handler(ctx);
                }
                catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
                {
                }
            });
        }
    }
}
