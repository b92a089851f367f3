using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Bulwark.Engine.Errors;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Ports;

/// <summary>
/// Published ports (the facade): checks a container's bindings against policy, binds the host listeners before the
/// container starts (a port in use fails the start with nothing left behind), then forwards each connection into
/// the container's network namespace once its process exists, and closes everything at exit. No NAT and no veth:
/// it works for containers that have nothing but loopback. With a <see cref="Redirect.PortRedirector"/> (daemon.json
/// "userland-proxy": false) local TCP connections bypass the forwarders and go to the container over a port link.
/// </summary>
public sealed class PortPublisher(IPAddress defaultHostIp, PublishedPortsPolicy policy, ILogger logger, Redirect.PortRedirector? redirector = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PortReservation> _active = new(StringComparer.Ordinal);

    /// <summary>daemon.json "ip": the host address of -p entries that name none (default 127.0.0.1).</summary>
    public IPAddress DefaultHostIp { get; } = defaultHostIp;

    /// <summary>The bindings a start would open, checked against policy (create and start call this).</summary>
    public IReadOnlyList<PortBindingSpec> Plan(PortSpec spec, IReadOnlyList<string> exposed)
    {
        var plan = PortPlan.Resolve(spec, exposed, DefaultHostIp);
        foreach (var b in plan)
        {
            if (!IPAddress.TryParse(b.HostIp, out _))
            {
                throw EngineException.Invalid($"invalid host address \"{b.HostIp}\" for port {b.Key}");
            }
        }
        policy.Check(plan, DefaultHostIp);
        return plan;
    }

    /// <summary>Binds every listener of <paramref name="plan"/> (all or none). The caller activates or disposes the reservation.</summary>
    public PortReservation Reserve(string containerId, IReadOnlyList<PortBindingSpec> plan)
    {
        var bound = new List<(PublishedPort Port, Socket Listener)>();
        try
        {
            foreach (var b in plan)
            {
                var ip = IPAddress.Parse(b.HostIp);
                var socket = b.Protocol == "udp"
                    ? new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
                    : new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    BindFirstFree(socket, ip, b);
                    if (b.Protocol == "tcp")
                    {
                        socket.Listen(512);
                    }
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    throw BindFailed(b, ex);
                }
                int port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                bound.Add((new PublishedPort(b.ContainerPort, b.Protocol, b.HostIp, port), socket));
            }
        }
        catch
        {
            foreach (var (_, s) in bound)
            {
                s.Dispose();
            }
            throw;
        }
        return new PortReservation(this, containerId, bound, logger);
    }

    /// <summary>Daemon start: publishes again, on the same host ports, what a running container had published.</summary>
    public IReadOnlyList<PublishedPort> Restore(string containerId, IReadOnlyList<PublishedPort> ports, int pid)
    {
        if (ports.Count == 0)
        {
            return [];
        }
        try
        {
            using var reservation = Reserve(containerId, [.. ports.Select(p => new PortBindingSpec(p.ContainerPort, p.Protocol, p.HostIp, p.HostPort))]);
            reservation.Activate(pid);
            if (redirector is not null)
            {
                _ = reservation.RedirectAsync(redirector, pid, CancellationToken.None); // daemon start: not waited for (logs its own failure)
            }
            return reservation.Ports;
        }
        catch (Exception ex) when (ex is EngineException or IOException or UnauthorizedAccessException)
        {
            PortsLog.RestoreFailed(logger, containerId, ex.Message);
            return [];
        }
    }

    /// <summary>Starts forwarding a reservation into the container whose first process is <paramref name="pid"/>; the
    /// ports stay published until <see cref="Close"/>. A process already gone publishes nothing (its exit closes all).</summary>
    public IReadOnlyList<PublishedPort> Activate(PortReservation reservation, int pid)
    {
        try
        {
            reservation.Activate(pid);
            return reservation.Ports;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            PortsLog.RestoreFailed(logger, reservation.ContainerId, ex.Message);
            return [];
        }
    }

    /// <summary>
    /// <see cref="Activate"/>, then (with a redirector) the container's port link: the start returns once local
    /// connections go straight to the container.
    /// </summary>
    public async Task<IReadOnlyList<PublishedPort>> ActivateAsync(PortReservation reservation, int pid, CancellationToken ct)
    {
        var ports = Activate(reservation, pid);
        if (redirector is not null && ports.Count > 0)
        {
            await reservation.RedirectAsync(redirector, pid, ct).ConfigureAwait(false);
        }
        return ports;
    }

    /// <summary>True when local connections to published TCP ports are redirected ("userland-proxy": false and this host can).</summary>
    public bool Redirects => redirector is not null;

    /// <summary>Stops forwarding for the container and frees its host ports (idempotent).</summary>
    public void Close(string containerId)
    {
        if (_active.TryRemove(containerId, out var reservation))
        {
            _ = reservation.Close(); // its port link goes in the background
        }
    }

    internal void Register(string containerId, PortReservation reservation)
    {
        if (_active.TryRemove(containerId, out var previous))
        {
            _ = previous.Close();
        }
        _active[containerId] = reservation;
    }

    /// <summary>Binds the host port, or the first port of a range that is free (the last one's error when none is).</summary>
    private static void BindFirstFree(Socket socket, IPAddress ip, PortBindingSpec b)
    {
        int last = b.IsRange ? b.HostPortLast : b.HostPort;
        for (int port = b.HostPort; ; port++)
        {
            try
            {
                socket.Bind(new IPEndPoint(ip, port));
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && port < last)
            {
                // taken: the next one
            }
        }
    }

    private static EngineException BindFailed(PortBindingSpec b, SocketException ex)
    {
        string address = b.HostIp.Contains(':', StringComparison.Ordinal) ? $"[{b.HostIp}]:{b.HostPortText}" : $"{b.HostIp}:{b.HostPortText}";
        return ex.SocketErrorCode == SocketError.AddressAlreadyInUse
            ? EngineException.Conflict($"cannot publish {address}->{b.Key}: Bind for {address} failed: port is already allocated")
            : EngineException.Invalid($"cannot publish {address}->{b.Key}: listen {b.Protocol} {address}: bind: {ex.Message}");
    }

    public async ValueTask DisposeAsync()
    {
        var closing = new List<Task>();
        foreach (var id in _active.Keys)
        {
            if (_active.TryRemove(id, out var reservation))
            {
                closing.Add(reservation.Close());
            }
        }
        await Task.WhenAll(closing).ConfigureAwait(false);
        if (redirector is not null)
        {
            await redirector.DisposeAsync().ConfigureAwait(false);
        }
    }
}
