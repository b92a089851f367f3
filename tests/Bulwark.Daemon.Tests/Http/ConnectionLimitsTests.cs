using System.Net.Sockets;
using System.Text;
using Bulwark.Daemon.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Daemon.Tests.Http;

/// <summary>Slow, idle, oversized and too many connections are cut off while other clients keep being answered.</summary>
public sealed class ConnectionLimitsTests : IAsyncLifetime
{
    private readonly string _path = Path.Combine("/tmp", "bwl-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
    private readonly CancellationTokenSource _cts = new();
    private readonly List<Socket> _clients = [];
    private Socket _listener = null!;
    private HttpServer _server = null!;

    private static readonly ConnectionLimits Limits = new()
    {
        HeadTimeout = TimeSpan.FromMilliseconds(300),
        IdleTimeout = TimeSpan.FromMilliseconds(300),
        MaxHeadBytes = 2048,
        MaxConnections = 4,
    };

    public Task InitializeAsync()
    {
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(64);
        _server = new HttpServer([new ServerEndpoint(_listener)],
            ctx => ctx.Response.WriteTextAsync(200, "text/plain", "OK", ctx.Aborted), [], Limits, NullLogger.Instance);
        _ = _server.RunAsync(_cts.Token);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _cts.Cancel();
        _clients.ForEach(c => c.Dispose());
        _listener.Dispose();
        File.Delete(_path);
        return Task.CompletedTask;
    }

    private async Task<Socket> ConnectAsync()
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(_path));
        _clients.Add(s);
        return s;
    }

    /// <summary>Reads until the server closes (bounded by a generous safety timeout so a regression fails instead of hanging).</summary>
    private static async Task<string> ReadUntilClosedAsync(Socket s)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var sb = new StringBuilder();
        byte[] buf = new byte[4096];
        int n;
        while ((n = await s.ReceiveAsync(buf, SocketFlags.None, cts.Token)) > 0)
        {
            sb.Append(Encoding.Latin1.GetString(buf, 0, n));
        }
        return sb.ToString();
    }

    private async Task<string> PingAsync()
    {
        var s = await ConnectAsync();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        return await ReadUntilClosedAsync(s);
    }

    [Fact]
    public async Task HalfSentHead_IsClosedAfterTheHeadTimeout_WithoutAResponse()
    {
        var s = await ConnectAsync();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\n"));
        Assert.Equal("", await ReadUntilClosedAsync(s));
    }

    [Fact]
    public async Task SilentConnection_IsClosedAfterTheHeadTimeout()
    {
        var s = await ConnectAsync();
        Assert.Equal("", await ReadUntilClosedAsync(s));
    }

    [Fact]
    public async Task IdleKeepAlive_IsClosedAfterTheIdleTimeout_AfterItsAnswer()
    {
        var s = await ConnectAsync();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"));
        string all = await ReadUntilClosedAsync(s);
        Assert.StartsWith("HTTP/1.1 200 OK", all, StringComparison.Ordinal);
        Assert.EndsWith("OK", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedHead_Gets431AndIsClosed()
    {
        var s = await ConnectAsync();
        var head = new StringBuilder("GET /_ping HTTP/1.1\r\n");
        for (int i = 0; i < 100; i++)
        {
            head.Append("X-Filler-").Append(i).Append(": ").Append('a', 40).Append("\r\n");
        }
        head.Append("\r\n");
        await s.SendAsync(Encoding.ASCII.GetBytes(head.ToString()));
        string answer = await ReadUntilClosedAsync(s);
        Assert.StartsWith("HTTP/1.1 431 ", answer, StringComparison.Ordinal);
        Assert.Contains("larger than 2048 bytes", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeyondTheConnectionCap_Gets503_AndAnotherClientIsServedOnceOneCloses()
    {
        // Four connections that are answered and then held open by keep-alive (they count as open).
        var held = new List<Socket>();
        for (int i = 0; i < Limits.MaxConnections; i++)
        {
            var s = await ConnectAsync();
            await s.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"));
            byte[] buf = new byte[1024];
            Assert.True(await s.ReceiveAsync(buf) > 0);
            held.Add(s);
        }
        string refused = await PingAsync();
        Assert.StartsWith("HTTP/1.1 503 Service Unavailable", refused, StringComparison.Ordinal);
        Assert.Contains("too many open connections", refused, StringComparison.Ordinal);

        held.ForEach(s => s.Dispose());
        // The idle timeout and the closes free the slots; a new client is served again.
        string answer = "";
        for (int attempt = 0; attempt < 100 && !answer.StartsWith("HTTP/1.1 200", StringComparison.Ordinal); attempt++)
        {
            answer = await PingAsync();
            if (!answer.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
            {
                await Task.Delay(50);
            }
        }
        Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhileSlowClientsHang_OthersAreAnswered()
    {
        for (int i = 0; i < Limits.MaxConnections - 1; i++)
        {
            var s = await ConnectAsync();
            await s.SendAsync(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\n"));
        }
        Assert.StartsWith("HTTP/1.1 200 OK", await PingAsync(), StringComparison.Ordinal);
    }
}
