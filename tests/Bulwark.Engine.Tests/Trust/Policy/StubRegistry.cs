using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bulwark.Engine.Tests.Trust.Policy;

/// <summary>
/// A unit-test stand-in for a registry that serves the OCI 1.1 referrers API (the docker-registry 2.8 of the integration
/// tests has none): GET only, fixed answers by path (query included), 500 where told to fail, 404 otherwise, one request per connection, on a
/// loopback port chosen by the kernel. Records every path asked for.
/// </summary>
public sealed class StubRegistry : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Dictionary<string, (string ContentType, byte[] Body)> routes = new(StringComparer.Ordinal);
    private readonly HashSet<string> failing = new(StringComparer.Ordinal);
    private readonly Task loop;

    public StubRegistry()
    {
        listener.Start();
        routes["/v2/"] = ("application/json", "{}"u8.ToArray());
        loop = Task.Run(AcceptAsync);
    }

    public string Host => "127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public List<string> Requests { get; } = [];

    public void Serve(string path, string contentType, byte[] body) => routes[path] = (contentType, body);

    /// <summary>Answers <paramref name="path"/> with 500 Internal Server Error.</summary>
    public void Fail(string path) => failing.Add(path);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer, stop.Token) == 1)
            {
                head.Append((char)buffer[0]);
            }

            string path = head.ToString().Split(' ') is { Length: > 1 } parts ? parts[1] : "";
            lock (Requests)
            {
                Requests.Add(path);
            }

            var (status, type, body) = failing.Contains(path) ? ("500 Internal Server Error", "text/plain", "boom"u8.ToArray())
                : routes.TryGetValue(path, out var r) ? ("200 OK", r.ContentType, r.Body) : ("404 Not Found", "application/json", "{\"errors\":[{\"code\":\"NOT_FOUND\"}]}"u8.ToArray());
            byte[] header = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(header, stop.Token);
            await stream.WriteAsync(body, stop.Token);
        }
    }
}
