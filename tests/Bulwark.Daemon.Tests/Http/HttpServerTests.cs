using System.Net.Sockets;
using System.Text;
using Bulwark.Daemon.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Daemon.Tests.Http;

/// <summary>The HTTP/1.1 loop against a raw socket client, byte for byte.</summary>
public sealed class HttpServerTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine("/tmp", "bwh-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
    private readonly CancellationTokenSource _cts = new();
    private Socket _listener = null!;
    private Func<HttpContext, Task> _handler = _ => Task.CompletedTask;

    public Task InitializeAsync()
    {
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(16);
        var server = new HttpServer(_listener, ctx => _handler(ctx), [new("Api-Version", "1.44")], NullLogger.Instance);
        _ = server.RunAsync(_cts.Token);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _cts.Cancel();
        _listener.Dispose();
        File.Delete(_path);
        return Task.CompletedTask;
    }

    private async Task<Socket> ConnectAsync()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(_path));
        return s;
    }

    private static async Task<string> ReadAllAsync(Socket s)
    {
        var sb = new StringBuilder();
        byte[] buf = new byte[4096];
        int n;
        while ((n = await s.ReceiveAsync(buf)) > 0)
        {
            sb.Append(Encoding.Latin1.GetString(buf, 0, n));
        }
        return sb.ToString();
    }

    [Fact]
    public async Task Hijack_ClientHalfClosesAtOnce_OutputStillArrivesThenEof()
    {
        _handler = async ctx =>
        {
            var conn = await ctx.Response.HijackAsync(ctx.Request.WantsUpgrade, "application/vnd.docker.raw-stream", ctx.Aborted);
            byte[] b = new byte[16];
            Assert.Equal(0, await conn.ReadAsync(b, ctx.Aborted)); // the client's half-close is input EOF only
            await Task.Delay(50);
            await conn.WriteAsync("late output"u8.ToArray(), ctx.Aborted);
            conn.CloseOutput();
        };
        using var s = await ConnectAsync();
        await s.SendAsync("POST /containers/x/attach?stream=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"u8.ToArray());
        s.Shutdown(SocketShutdown.Send);
        string all = await ReadAllAsync(s);
        Assert.StartsWith("HTTP/1.1 101 UPGRADED\r\n", all, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nlate output", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hijack_WithoutUpgradeHeader_Answers200WithoutFraming()
    {
        _handler = async ctx =>
        {
            var conn = await ctx.Response.HijackAsync(ctx.Request.WantsUpgrade, "application/vnd.docker.raw-stream", ctx.Aborted);
            await conn.WriteAsync("raw"u8.ToArray(), ctx.Aborted);
            conn.CloseOutput();
        };
        using var s = await ConnectAsync();
        await s.SendAsync("POST /exec/x/start HTTP/1.1\nHost: d.sock:80\nContent-Length: 2\n\r\n{}"u8.ToArray());
        string all = await ReadAllAsync(s);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Content-Length", all, StringComparison.Ordinal);
        Assert.DoesNotContain("chunked", all, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nraw", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepAlive_ChunkedRequestBody_IsDecodedAndTheNextRequestParses()
    {
        var bodies = new List<string>();
        _handler = async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            bodies.Add(await reader.ReadToEndAsync());
            await ctx.Response.WriteTextAsync(200, "application/json", "{}", ctx.Aborted);
        };
        using var s = await ConnectAsync();
        await s.SendAsync(Encoding.ASCII.GetBytes("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" +
                           "GET /b HTTP/1.1\r\nConnection: close\r\n\r\n"));
        string all = await ReadAllAsync(s);
        Assert.Equal(2, all.Split("HTTP/1.1 200 OK").Length - 1);
        Assert.Equal(["abcde", ""], bodies);
    }

    [Fact]
    public async Task Error_ContentTypeIsExactlyApplicationJson()
    {
        _handler = ctx => ctx.Response.WriteTextAsync(404, "application/json", "{\"message\":\"page not found\"}", ctx.Aborted);
        using var s = await ConnectAsync();
        await s.SendAsync("GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n"u8.ToArray());
        string all = await ReadAllAsync(s);
        Assert.Contains("\r\nContent-Type: application/json\r\n", all, StringComparison.Ordinal);
        Assert.Contains("Api-Version: 1.44", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedRequestLine_Gets400AndTheServerKeepsServing()
    {
        _handler = ctx => ctx.Response.WriteTextAsync(200, "text/plain", "OK", ctx.Aborted);
        using (var bad = await ConnectAsync())
        {
            await bad.SendAsync("NONSENSE\r\n\r\n"u8.ToArray());
            Assert.StartsWith("HTTP/1.1 400", await ReadAllAsync(bad), StringComparison.Ordinal);
        }
        using var good = await ConnectAsync();
        await good.SendAsync("GET /_ping HTTP/1.1\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.EndsWith("OK", await ReadAllAsync(good), StringComparison.Ordinal);
    }
}
