using System.Net.Sockets;
using Bulwark.Native;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Ports;

/// <summary>
/// A container's bound host listeners. Until <see cref="Activate"/> nothing is accepted (connections wait in the
/// backlog); disposing before that frees the ports again, disposing after it does nothing (the publisher owns the
/// ports then and closes them at exit). Activation pins the container's network namespace by descriptor and starts
/// one forwarder per port.
/// </summary>
public sealed class PortReservation : IDisposable
{
    private readonly PortPublisher _publisher;
    private readonly string _containerId;
    private readonly List<(PublishedPort Port, Socket Listener)> _listeners;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private NetnsSocketFactory? _sockets;
    private Redirect.PortRedirector? _redirector;
    private Redirect.RedirectedPorts? _redirected;
    private bool _activated;
    private readonly Lock _gate = new();
    private int _closed;

    internal PortReservation(PortPublisher publisher, string containerId, List<(PublishedPort, Socket)> listeners, ILogger logger)
    {
        _publisher = publisher;
        _containerId = containerId;
        _listeners = listeners;
        _logger = logger;
    }

    public string ContainerId => _containerId;

    /// <summary>The ports as bound (kernel-chosen host ports filled in).</summary>
    public IReadOnlyList<PublishedPort> Ports => [.. _listeners.Select(l => l.Port)];

    /// <summary>Starts forwarding into the network namespace of <paramref name="pid"/>, the container's first process.</summary>
    public void Activate(int pid)
    {
        if (_listeners.Count == 0)
        {
            return;
        }
        var networkNamespace = NetworkNamespace.Open(pid);
        try
        {
            _sockets = new NetnsSocketFactory(networkNamespace, _containerId);
        }
        catch
        {
            networkNamespace.Dispose();
            throw;
        }
        _activated = true;
        foreach (var (port, listener) in _listeners)
        {
            Task run = port.Protocol == "udp"
                ? new UdpForwarder(listener, port.ContainerPort, _sockets, _logger, TimeProvider.System).RunAsync(_stop.Token)
                : new TcpForwarder(listener, port.ContainerPort, _containerId, _sockets, _logger).RunAsync(_stop.Token);
            _ = run;
        }
        _publisher.Register(_containerId, this);
        PortsLog.Published(_logger, _containerId, string.Join(", ", _listeners.Select(l => $"{l.Port.HostIp}:{l.Port.HostPort}->{l.Port.Key}")));
    }

    /// <summary>
    /// With a redirector ("userland-proxy": false): makes the container's port link and redirects local connections
    /// through it. A failure is logged and leaves the ports on the proxy; a close that came first undoes the link.
    /// </summary>
    internal async Task RedirectAsync(Redirect.PortRedirector redirector, int pid, CancellationToken ct)
    {
        try
        {
            var redirected = await redirector.ConnectAsync(_containerId, pid, Ports, ct).ConfigureAwait(false);
            if (redirected is null)
            {
                return;
            }
            lock (_gate)
            {
                if (_closed == 0)
                {
                    _redirector = redirector;
                    _redirected = redirected;
                    return;
                }
            }
            await redirector.DisconnectAsync(redirected).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Errors.EngineException or IOException or OperationCanceledException)
        {
            PortsLog.RedirectFailed(_logger, Redirect.PortLinks.HostInterfaceOf(_containerId), ex.Message);
        }
    }

    /// <summary>Frees the ports unless activated (then <see cref="PortPublisher.Close"/> does).</summary>
    public void Dispose()
    {
        if (!_activated)
        {
            _ = Close(); // not activated: no link was made
        }
    }

    /// <summary>Stops the forwarders and their connections and frees the host ports (idempotent). The task ends when
    /// the port link, if any, is gone (it never fails: failures are logged).</summary>
    internal Task Close()
    {
        Redirect.RedirectedPorts? redirected;
        lock (_gate)
        {
            if (_closed != 0)
            {
                return Task.CompletedTask;
            }
            _closed = 1;
            redirected = _redirected;
            _redirected = null;
        }
        var unlinked = redirected is null ? Task.CompletedTask : _redirector!.DisconnectAsync(redirected);
        _stop.Cancel();
        foreach (var (_, listener) in _listeners)
        {
            listener.Dispose();
        }
        _sockets?.Dispose();
        _stop.Dispose();
        return unlinked;
    }
}
