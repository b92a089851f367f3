using System.Net;

namespace Bulwark.Engine.Ports;

/// <summary>
/// The bindings a start must open: every -p entry with its host address resolved, then, with --publish-all, every
/// exposed port not bound yet on a kernel-chosen port of the default address (Docker's -P).
/// </summary>
public static class PortPlan
{
    public static IReadOnlyList<PortBindingSpec> Resolve(PortSpec spec, IReadOnlyList<string> exposed, IPAddress defaultHostIp)
    {
        string defaultIp = defaultHostIp.ToString();
        var plan = spec.Bindings
            .Select(b => b with { HostIp = b.HostIp.Length == 0 ? defaultIp : b.HostIp })
            .ToList();
        if (spec.PublishAll)
        {
            var bound = plan.Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
            foreach (string key in exposed.Distinct(StringComparer.Ordinal))
            {
                if (bound.Add(key))
                {
                    var (port, protocol) = PortKey.Parse(key);
                    plan.Add(new PortBindingSpec(port, protocol, defaultIp, 0));
                }
            }
        }
        return plan;
    }

    /// <summary>The container's exposed ports: the image's EXPOSE, --expose, and every port of -p (Docker's Config.ExposedPorts).</summary>
    public static IReadOnlyList<string> Exposed(PortSpec spec, IReadOnlyList<string> imageExposed) =>
        [.. imageExposed.Select(k => { var (p, proto) = PortKey.Parse(k); return PortKey.Format(p, proto); })
            .Concat(spec.Exposed)
            .Concat(spec.Bindings.Select(b => b.Key))
            .Distinct(StringComparer.Ordinal)];
}
