using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Ports;

/// <summary>
/// One published UDP port: each client address is a flow with its own socket inside the container's network
/// namespace, connected to the container port on its loopback; replies go back from the published address. A flow
/// idle for <see cref="FlowIdleTimeout"/> is closed.
/// </summary>
internal sealed class UdpForwarder(Socket listener, int containerPort, NetnsSocketFactory sockets, ILogger logger, TimeProvider time)
{
    public static readonly TimeSpan FlowIdleTimeout = TimeSpan.FromSeconds(90);
    private const int MaxDatagram = 65535;
    private readonly ConcurrentDictionary<EndPoint, Flow> _flows = new();

    public async Task RunAsync(CancellationToken ct)
    {
        _ = Task.Run(() => ExpireAsync(ct), CancellationToken.None);
        byte[] buffer = new byte[MaxDatagram];
        EndPoint any = new IPEndPoint(listener.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await listener.ReceiveFromAsync(buffer.AsMemory(), SocketFlags.None, any, ct).ConfigureAwait(false);
                }
                catch (SocketException ex)
                {
                    PortsLog.ConnectionEnded(logger, containerPort, ex.Message);
                    continue;
                }
                try
                {
                    var flow = await FlowOfAsync(received.RemoteEndPoint, ct).ConfigureAwait(false);
                    flow.LastActive = time.GetTimestamp();
                    await flow.Backend.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, ct).ConfigureAwait(false);
                }
                catch (SocketException ex)
                {
                    PortsLog.ConnectionEnded(logger, containerPort, ex.Message); // the datagram is dropped, as on a wire
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Unpublished.
        }
        finally
        {
            foreach (var flow in _flows.Values)
            {
                flow.Backend.Dispose();
            }
            _flows.Clear();
        }
    }

    private async Task<Flow> FlowOfAsync(EndPoint client, CancellationToken ct)
    {
        if (_flows.TryGetValue(client, out var existing))
        {
            return existing;
        }
        var backend = await sockets.CreateAsync(SocketType.Dgram, ProtocolType.Udp).ConfigureAwait(false);
        await backend.ConnectAsync(new IPEndPoint(IPAddress.Loopback, containerPort), ct).ConfigureAwait(false);
        var flow = new Flow(backend) { LastActive = time.GetTimestamp() };
        _flows[client] = flow;
        _ = Task.Run(() => RepliesAsync(client, flow, ct), CancellationToken.None);
        return flow;
    }

    private async Task RepliesAsync(EndPoint client, Flow flow, CancellationToken ct)
    {
        byte[] buffer = new byte[MaxDatagram];
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await flow.Backend.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, ct).ConfigureAwait(false);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
                {
                    continue; // nothing listens in the container (yet): ICMP port unreachable, keep the flow
                }
                flow.LastActive = time.GetTimestamp();
                await listener.SendToAsync(buffer.AsMemory(0, n), SocketFlags.None, client, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            _flows.TryRemove(new KeyValuePair<EndPoint, Flow>(client, flow));
            flow.Backend.Dispose();
        }
    }

    private async Task ExpireAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15), time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                foreach (var (client, flow) in _flows)
                {
                    if (time.GetElapsedTime(flow.LastActive) > FlowIdleTimeout && _flows.TryRemove(new KeyValuePair<EndPoint, Flow>(client, flow)))
                    {
                        flow.Backend.Dispose();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Unpublished.
        }
    }

    private sealed class Flow(Socket backend)
    {
        public Socket Backend { get; } = backend;
        public long LastActive { get; set; }
    }
}
