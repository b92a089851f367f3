using System.Net;

namespace Bulwark.Engine.Registry;

/// <summary>
/// Which registries are reached over plain HTTP (Docker's rule): loopback hosts (127.0.0.0/8, ::1, localhost) and the
/// hosts or CIDR ranges listed in daemon.json "insecure-registries". Everything else is HTTPS with certificate checks.
/// </summary>
public static class RegistryHosts
{
    /// <summary>The registry name Docker Hub references normalise to; it is not reachable from this daemon.</summary>
    public const string DockerHub = "docker.io";

    public static bool IsLoopback(string domain)
    {
        string host = HostOf(domain);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    public static bool AllowsPlainHttp(string domain, IReadOnlyList<string> insecureRegistries)
    {
        if (IsLoopback(domain))
        {
            return true;
        }

        string host = HostOf(domain);
        foreach (var entry in insecureRegistries)
        {
            string e = entry.Trim();
            if (e.Length == 0)
            {
                continue;
            }

            if (e.Equals(domain, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (e.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(e, out var net) && IPAddress.TryParse(host, out var ip)
                && net.Contains(ip))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"127.0.0.1:5000" → "127.0.0.1"; "[::1]:5000" → "::1".</summary>
    public static string HostOf(string domain)
    {
        if (domain.StartsWith('['))
        {
            int close = domain.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? domain[1..close] : domain;
        }

        int colon = domain.LastIndexOf(':');
        return colon > 0 && domain.IndexOf(':', StringComparison.Ordinal) == colon ? domain[..colon] : domain;
    }

    public static Uri BaseUri(string domain, IReadOnlyList<string> insecureRegistries) =>
        new((AllowsPlainHttp(domain, insecureRegistries) ? "http://" : "https://") + domain + "/");
}
