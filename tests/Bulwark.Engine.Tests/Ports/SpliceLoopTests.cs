using System.Net;
using System.Net.Sockets;
using Bulwark.Engine.Ports;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Ports;

/// <summary>
/// The splice loop behind a published TCP port, with real sockets; the "container" is this test process (its network
/// namespace is the host's), so the inner connection goes to a server on this loopback.
/// </summary>
public sealed class SpliceLoopTests : IAsyncDisposable
{
    private readonly PortPublisher _publisher = new(IPAddress.Loopback, new PublishedPortsPolicy(), NullLogger.Instance);

    [Fact]
    public async Task ManyConcurrentConnections_EachCarriesMegabytesBothWays_ByteForByte()
    {
        using var server = Listen(out int inner);
        var echo = EchoEveryConnectionAsync(server, 12);
        int port = Publish("bulk", inner);

        // 12 connections at once, 3 MiB each way: past the point where a direction's pipe grows, all on one loop thread.
        var sizes = Enumerable.Range(0, 12).Select(i => (3 << 20) + (i * 7919)).ToArray();
        await Task.WhenAll(sizes.Select((size, i) => RoundTripAsync(port, size, (byte)i)));
        await echo;
    }

    [Fact]
    public async Task InnerPortClosed_TheOuterConnectionIsClosed_AndTheNextOneIsServed()
    {
        using var server = Listen(out int inner);
        server.Close(); // nothing listens on the inner port now
        int port = Publish("refused", inner);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, port);
        var read = await ReadToEndAsync(client);
        Assert.Equal(0, read.Bytes); // closed (end of stream or reset) without a byte
    }

    [Fact]
    public async Task ClosingThePort_EndsOpenConnections_AndFreesTheHostPort()
    {
        using var server = Listen(out int inner);
        var held = server.AcceptAsync();
        int port = Publish("close", inner);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var backend = await held.WaitAsync(TimeSpan.FromSeconds(30));

        _publisher.Close("close");

        var read = await ReadToEndAsync(client).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, read.Bytes);
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Bind(new IPEndPoint(IPAddress.Loopback, port)); // free again
    }

    private int Publish(string id, int inner)
    {
        var reservation = _publisher.Reserve(id, _publisher.Plan(new PortSpec { Bindings = [new(inner, "tcp", "", 0)] }, []));
        return Assert.Single(_publisher.Activate(reservation, Environment.ProcessId)).HostPort;
    }

    private static Socket Listen(out int port)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen(64);
        port = ((IPEndPoint)server.LocalEndPoint!).Port;
        return server;
    }

    /// <summary>Sends <paramref name="size"/> patterned bytes, half-closes, and checks that exactly they come back.</summary>
    private static async Task RoundTripAsync(int port, int size, byte seed)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(IPAddress.Loopback, port);
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++)
        {
            payload[i] = (byte)((i * 31) + seed);
        }
        var send = Task.Run(async () =>
        {
            await client.SendAsync(payload);
            client.Shutdown(SocketShutdown.Send);
        });
        var read = await ReadToEndAsync(client, keep: true);
        await send;
        Assert.Equal(size, read.Bytes);
        Assert.True(payload.AsSpan().SequenceEqual(read.Data.AsSpan(0, (int)read.Bytes)), "the bytes came back changed");
    }

    private static async Task<(long Bytes, byte[] Data)> ReadToEndAsync(Socket s, bool keep = false)
    {
        using var data = new MemoryStream();
        byte[] buffer = new byte[65536];
        try
        {
            int n;
            while ((n = await s.ReceiveAsync(buffer)) > 0)
            {
                if (keep)
                {
                    data.Write(buffer, 0, n);
                }
                else
                {
                    data.SetLength(data.Length + n);
                }
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // a reset ends the stream too
        }
        return (data.Length, data.ToArray());
    }

    private static async Task EchoEveryConnectionAsync(Socket server, int count)
    {
        var echoes = new List<Task>();
        for (int i = 0; i < count; i++)
        {
            var conn = await server.AcceptAsync();
            echoes.Add(Task.Run(async () =>
            {
                using (conn)
                {
                    byte[] buffer = new byte[65536];
                    int n;
                    while ((n = await conn.ReceiveAsync(buffer)) > 0)
                    {
                        await conn.SendAsync(buffer.AsMemory(0, n));
                    }
                    conn.Shutdown(SocketShutdown.Send);
                }
            }));
        }
        await Task.WhenAll(echoes);
    }

    public async ValueTask DisposeAsync() => await _publisher.DisposeAsync();
}
