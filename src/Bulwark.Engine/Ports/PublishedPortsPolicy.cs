using System.Globalization;
using System.Net;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Ports;

/// <summary>
/// daemon.json <c>policy.published-ports</c>: which host addresses ports may be published on (addresses or CIDRs;
/// default: loopback and the daemon's "ip"), which explicit host ports (ranges; default all), and whether host ports
/// below 1024 may be published (default no). Kernel-chosen ports (-p 80, -P) come from the ephemeral range.
/// </summary>
public sealed record PublishedPortsPolicy
{
    public const string RuleId = "published-ports";

    /// <summary>allowed-host-ips; null = 127.0.0.0/8, ::1 and the daemon's default address.</summary>
    public IReadOnlyList<IPNetwork>? AllowedHostIps { get; init; }

    /// <summary>allowed-ranges: inclusive host-port ranges; null = 1-65535.</summary>
    public IReadOnlyList<(int First, int Last)>? AllowedRanges { get; init; }

    /// <summary>allow-privileged-ports: host ports 1-1023.</summary>
    public bool AllowPrivilegedPorts { get; init; }

    /// <summary>Refuses (403, naming the rule) the first binding this policy does not allow.</summary>
    public void Check(IEnumerable<PortBindingSpec> plan, IPAddress defaultHostIp)
    {
        foreach (var b in plan)
        {
            string host = b.HostIp.Contains(':', StringComparison.Ordinal) ? "[" + b.HostIp + "]" : b.HostIp; // docker's -p [::1]:8080:80
            string what = $"-p {host}:{b.HostPortText}:{b.Key}";
            var ip = IPAddress.Parse(b.HostIp);
            var allowed = AllowedHostIps ?? [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128"), new IPNetwork(defaultHostIp, defaultHostIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)];
            if (!allowed.Any(n => n.Contains(ip)))
            {
                throw Refuse("allowed-host-ips", what, $"host address {b.HostIp} is not allowed (allowed: {string.Join(", ", allowed)})");
            }
            if (b.HostPort == 0)
            {
                continue;
            }
            if (b.HostPort < 1024 && !AllowPrivilegedPorts)
            {
                throw Refuse("allow-privileged-ports", what, $"host port {b.HostPort} is a privileged port (below 1024)");
            }
            // A range is allowed when every port of it is: whichever one the start takes must be allowed.
            int last = b.IsRange ? b.HostPortLast : b.HostPort;
            if (AllowedRanges is { } ranges
                && Enumerable.Range(b.HostPort, last - b.HostPort + 1).FirstOrDefault(p => !ranges.Any(r => p >= r.First && p <= r.Last)) is > 0 and var outside)
            {
                string port = b.IsRange ? $"{b.HostPortText} (port {outside})" : b.HostPort.ToString(CultureInfo.InvariantCulture);
                throw Refuse("allowed-ranges", what, $"host port {port} is outside the allowed ranges ({string.Join(", ", ranges.Select(r => $"{r.First}-{r.Last}"))})");
            }
        }
    }

    private static EngineException Refuse(string key, string what, string cause) =>
        EngineException.Forbidden(RuleId + "." + key, $"policy \"{RuleId}.{key}\" refuses {what}: {cause}");
}
