using System.Net;
using System.Net.Sockets;
using System.Text;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Ports;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Ports;

/// <summary>
/// The forwarders with real sockets. The "container" is this test process: its network namespace is the host's, so
/// the inner connection goes to a server on this loopback (the integration tests use real containers).
/// </summary>
public sealed class PortPublisherTests : IAsyncDisposable
{
    private readonly PortPublisher _publisher = new(IPAddress.Loopback, new PublishedPortsPolicy(), NullLogger.Instance);

    [Fact]
    public async Task Tcp_ForwardsBothWaysWithHalfClose_AndCloseFreesTheHostPort()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen();
        int inner = ((IPEndPoint)server.LocalEndPoint!).Port;
        var echo = EchoOnceAsync(server);

        using var reservation = _publisher.Reserve("c1", _publisher.Plan(new PortSpec { Bindings = [new(inner, "tcp", "", 0)] }, []));
        var published = Assert.Single(_publisher.Activate(reservation, Environment.ProcessId));
        Assert.Equal("127.0.0.1", published.HostIp);
        Assert.NotEqual(0, published.HostPort);

        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(IPAddress.Loopback, published.HostPort);
            byte[] payload = Encoding.ASCII.GetBytes(new string('x', 300_000));
            await client.SendAsync(payload);
            client.Shutdown(SocketShutdown.Send);
            long received = 0;
            byte[] buffer = new byte[65536];
            int n;
            while ((n = await client.ReceiveAsync(buffer)) > 0)
            {
                received += n;
            }
            Assert.Equal(payload.Length, received);
        }
        await echo;

        _publisher.Close("c1");
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Bind(new IPEndPoint(IPAddress.Loopback, published.HostPort)); // free again
    }

    [Fact]
    public async Task Udp_ForwardsDatagramsAndReplies()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int inner = ((IPEndPoint)server.LocalEndPoint!).Port;
        var reply = Task.Run(async () =>
        {
            byte[] buffer = new byte[100];
            var got = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0));
            await server.SendToAsync(Encoding.ASCII.GetBytes("re:" + Encoding.ASCII.GetString(buffer, 0, got.ReceivedBytes)), got.RemoteEndPoint);
        });

        using var reservation = _publisher.Reserve("c2", _publisher.Plan(new PortSpec { Bindings = [new(inner, "udp", "127.0.0.1", 0)] }, []));
        var published = Assert.Single(_publisher.Activate(reservation, Environment.ProcessId));
        using var client = new UdpClient(AddressFamily.InterNetwork);
        await client.SendAsync(Encoding.ASCII.GetBytes("hi"), new IPEndPoint(IPAddress.Loopback, published.HostPort));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = await client.ReceiveAsync(timeout.Token);
        Assert.Equal("re:hi", Encoding.ASCII.GetString(answer.Buffer));
        await reply;
        _publisher.Close("c2");
    }

    [Fact]
    public void Reserve_PortInUse_IsAConflictNamingTheAddress_AndReleasesWhatItHadBound()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int firstPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Close();

        var ex = Assert.Throws<EngineException>(() => _publisher.Reserve("c3", [new(1, "tcp", "127.0.0.1", firstPort), new(2, "tcp", "127.0.0.1", port)]));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Contains($"Bind for 127.0.0.1:{port} failed: port is already allocated", ex.Message, StringComparison.Ordinal);
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Bind(new IPEndPoint(IPAddress.Loopback, firstPort)); // the first binding was released
    }

    [Fact]
    public void Reservation_DisposedBeforeActivation_FreesItsPorts()
    {
        int port;
        using (var reservation = _publisher.Reserve("c4", [new(1, "tcp", "127.0.0.1", 0)]))
        {
            port = reservation.Ports[0].HostPort;
        }
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }

    private static async Task EchoOnceAsync(Socket server)
    {
        using var conn = await server.AcceptAsync();
        byte[] buffer = new byte[65536];
        int n;
        while ((n = await conn.ReceiveAsync(buffer)) > 0)
        {
            await conn.SendAsync(buffer.AsMemory(0, n));
        }
        conn.Shutdown(SocketShutdown.Send);
    }

    public async ValueTask DisposeAsync() => await _publisher.DisposeAsync();
}
