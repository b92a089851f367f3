using System.Net;
using Bulwark.Engine.Errors;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Ports.Redirect;

/// <summary>What one container's redirect holds: its link and the (host address, host port) entries pointing through it.</summary>
internal sealed record RedirectedPorts(PortLink Link, IReadOnlyList<(IPAddress Host, int HostPort)> Entries);

/// <summary>
/// Redirected published ports (daemon.json "userland-proxy": false), the facade: a container that publishes TCP
/// ports on IPv4 host addresses gets a <see cref="PortLinks">port link</see>, and every connect(2) from the host's
/// network namespace to one of its host ports is rewritten by <see cref="ConnectRedirect"/> to the container's end of
/// that link: one TCP connection from client to server, no proxy in the data path, no NAT. The host listeners stay
/// bound and forwarding (they keep the port reserved, and serve what is not redirected: other namespaces, other
/// hosts, IPv6, UDP). A host address of 0.0.0.0 redirects connections to 127.0.0.1. Unlike the proxy, which reaches
/// the container's loopback, a redirected connection arrives on the link: the server must listen on 0.0.0.0 (as
/// under Docker).
/// </summary>
public sealed class PortRedirector : IAsyncDisposable
{
    private readonly ConnectRedirect _kernel;
    private readonly PortLinks _links = new();
    private readonly ILogger _logger;

    private PortRedirector(ConnectRedirect kernel, ILogger logger)
    {
        _kernel = kernel;
        _logger = logger;
    }

    /// <summary>Attaches the redirect program; null (logged, with the kernel's reason) when this host cannot: ports then use the proxy.</summary>
    public static PortRedirector? TryCreate(ILogger logger)
    {
        try
        {
            string cgroup = ConnectRedirect.FindCgroup2Root()
                ?? throw new IOException("no cgroup v2 hierarchy is mounted (the redirect program attaches to its root)");
            var redirector = new PortRedirector(ConnectRedirect.Attach(cgroup), logger);
            PortsLog.RedirectOn(logger, cgroup);
            return redirector;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EngineException)
        {
            PortsLog.RedirectUnavailable(logger, ex.Message);
            return null;
        }
    }

    /// <summary>The ports of <paramref name="ports"/> a redirect applies to: TCP on an IPv4 host address.</summary>
    internal static IReadOnlyList<(IPAddress Host, int HostPort, int ContainerPort)> Redirectable(IReadOnlyList<PublishedPort> ports)
    {
        var result = new List<(IPAddress, int, int)>();
        foreach (var p in ports)
        {
            if (p.Protocol == "tcp" && IPAddress.TryParse(p.HostIp, out var host) && host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                result.Add((host.Equals(IPAddress.Any) ? IPAddress.Loopback : host, p.HostPort, p.ContainerPort));
            }
        }
        return result;
    }

    /// <summary>Makes the container's link and points its redirectable ports at it; null when none is redirectable.</summary>
    internal async Task<RedirectedPorts?> ConnectAsync(string containerId, int pid, IReadOnlyList<PublishedPort> ports, CancellationToken ct)
    {
        var redirectable = Redirectable(ports);
        if (redirectable.Count == 0)
        {
            return null;
        }
        var link = await _links.CreateAsync(containerId, pid, ct).ConfigureAwait(false);
        var entries = new List<(IPAddress, int)>();
        try
        {
            foreach (var (host, hostPort, containerPort) in redirectable)
            {
                _kernel.Add(host, hostPort, link.ContainerAddress, containerPort);
                entries.Add((host, hostPort));
            }
        }
        catch
        {
            await DisconnectAsync(new RedirectedPorts(link, entries)).ConfigureAwait(false);
            throw;
        }
        return new RedirectedPorts(link, entries);
    }

    /// <summary>Ends the redirects (new connects reach the listeners again), then deletes the link.</summary>
    internal async Task DisconnectAsync(RedirectedPorts redirected)
    {
        foreach (var (host, hostPort) in redirected.Entries)
        {
            try
            {
                _kernel.Remove(host, hostPort);
            }
            catch (IOException ex)
            {
                PortsLog.RedirectFailed(_logger, redirected.Link.HostInterface, ex.Message);
            }
        }
        try
        {
            await _links.DeleteAsync(redirected.Link).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            PortsLog.RedirectFailed(_logger, redirected.Link.HostInterface, ex.Message);
        }
    }

    /// <summary>Detaches the program (connects reach the listeners again); the guard goes when no link is left.</summary>
    public async ValueTask DisposeAsync()
    {
        _kernel.Dispose();
        try
        {
            await PortLinks.RemoveGuardIfUnusedAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EngineException or IOException)
        {
            PortsLog.RedirectFailed(_logger, PortLinks.HostPrefix + "*", ex.Message);
        }
    }
}
