using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Bulwark.Cli.Tests.Running;

/// <summary>
/// A scripted daemon on a temp unix socket: records every request head in arrival order and lets the test answer
/// each one by writing raw bytes to the connection.
/// </summary>
internal sealed class FakeDaemon : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly DirectoryInfo _dir;
    private readonly CancellationTokenSource _cts = new();
    private readonly Func<FakeRequest, Task> _handler;
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Socket> _connections = [];

    public FakeDaemon(Func<FakeRequest, Task> handler)
    {
        _handler = handler;
        _dir = Directory.CreateTempSubdirectory("bulwark-fake");
        SocketPath = Path.Combine(_dir.FullName, "d.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(16);
        _acceptLoop = AcceptAsync();
    }

    public string SocketPath { get; }

    public ConcurrentQueue<string> Log { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(_cts.Token);
                _connections.Add(socket);
                _ = ServeAsync(socket);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            while (true)
            {
                var head = await ReadHeadAsync(stream);
                if (head is null)
                {
                    return;
                }

                var lines = head.Split("\r\n");
                var request = new FakeRequest(lines[0], lines.Skip(1).ToList(), socket, stream);
                Log.Enqueue(request.Method + " " + request.PathWithoutVersion);
                await _handler(request);
                if (request.Hijacked)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads a request head byte by byte (no read-ahead, so a hijacked stream stays intact).</summary>
    private static async Task<string?> ReadHeadAsync(Stream stream)
    {
        var sb = new StringBuilder();
        var one = new byte[1];
        while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            sb.Append((char)one[0]);
        }

        return sb.ToString()[..^4];
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Dispose();
        foreach (var c in _connections)
        {
            c.Dispose();
        }

        await _acceptLoop;
        _dir.Delete(recursive: true);
        _cts.Dispose();
    }
}
