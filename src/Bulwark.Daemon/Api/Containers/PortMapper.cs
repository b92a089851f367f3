using System.Text.Json;
using System.Globalization;
using Bulwark.Api.Models.Containers;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Ports;

namespace Bulwark.Daemon.Api.Containers;

/// <summary>Docker's port fields (HostConfig.PortBindings, PublishAllPorts, Config.ExposedPorts) ↔ the engine's <see cref="PortSpec"/>.</summary>
internal static class PortMapper
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    public static PortSpec Map(ContainerCreateRequest body, HostConfig hc)
    {
        var bindings = new List<PortBindingSpec>();
        foreach (var (key, hosts) in hc.PortBindings ?? [])
        {
            var (port, protocol) = PortKey.Parse(key);
            foreach (var h in hosts is { Count: > 0 } ? hosts : [new PortBindingDto()])
            {
                string ip = h.HostIp.Trim('[', ']');
                if (ip.Length > 0 && !System.Net.IPAddress.TryParse(ip, out _))
                {
                    throw EngineException.Invalid($"HostConfig.PortBindings[\"{key}\"]: \"{h.HostIp}\" is not an IP address");
                }
                var (first, last) = HostPortRange(h.HostPort, key);
                bindings.Add(new PortBindingSpec(port, protocol, ip, first, last));
            }
        }
        var exposed = (body.ExposedPorts?.Keys ?? Enumerable.Empty<string>())
            .Select(k => { var (p, proto) = PortKey.Parse(k); return PortKey.Format(p, proto); })
            .ToList();
        return new PortSpec { Bindings = bindings, PublishAll = hc.PublishAllPorts, Exposed = exposed };
    }

    /// <summary>"8000" or "8000-8010" (dockerd takes a free port of the range); a range must not run backwards.</summary>
    private static (int First, int Last) HostPortRange(string text, string key)
    {
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return (PortKey.ParsePort(text, key, allowZero: true), 0);
        }
        int first = PortKey.ParsePort(text[..dash], key, allowZero: false);
        int last = PortKey.ParsePort(text[(dash + 1)..], key, allowZero: false);
        if (last < first)
        {
            throw EngineException.Invalid($"invalid hostPort: {text}: the range ends before it starts");
        }
        return (first, last == first ? 0 : last);
    }

    /// <summary>HostConfig.PortBindings as asked (host port "" when kernel-chosen); null without any.</summary>
    public static Dictionary<string, List<PortBindingDto>?>? Bindings(ContainerRecord r) =>
        r.Spec.Ports.Bindings.Count == 0 ? null : r.Spec.Ports.Bindings
            .GroupBy(b => b.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (List<PortBindingDto>?)[.. g.Select(b => new PortBindingDto { HostIp = b.HostIp, HostPort = b.HostPortText })], StringComparer.Ordinal);

    /// <summary>NetworkSettings.Ports: while running, every exposed port with its bindings (null when unpublished); {} otherwise.</summary>
    public static Dictionary<string, IReadOnlyList<PortBindingDto>?> Published(ContainerRecord r)
    {
        var result = new Dictionary<string, IReadOnlyList<PortBindingDto>?>(StringComparer.Ordinal);
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            return result;
        }
        foreach (string key in r.ExposedPorts)
        {
            result[key] = null;
        }
        foreach (var g in r.PublishedPorts.GroupBy(p => p.Key, StringComparer.Ordinal))
        {
            result[g.Key] = [.. g.Select(p => new PortBindingDto { HostIp = p.HostIp, HostPort = HostPort(p.HostPort) })];
        }
        return result;
    }

    /// <summary>The list entry's Ports: published ports with their host side, then exposed ones without.</summary>
    public static List<PortDto> Summary(ContainerRecord r)
    {
        var running = r.State is ContainerState.Running or ContainerState.Paused;
        var published = running ? r.PublishedPorts : [];
        var list = published.Select(p => new PortDto { IP = p.HostIp, PrivatePort = p.ContainerPort, PublicPort = p.HostPort, Type = p.Protocol }).ToList();
        foreach (string key in r.ExposedPorts.Where(k => !published.Any(p => p.Key == k)))
        {
            var (port, protocol) = PortKey.Parse(key);
            list.Add(new PortDto { PrivatePort = port, Type = protocol });
        }
        return list;
    }

    public static Dictionary<string, JsonElement>? Exposed(ContainerRecord r) =>
        r.ExposedPorts.Count == 0 ? null : r.ExposedPorts.ToDictionary(k => k, _ => EmptyObject, StringComparer.Ordinal);

    /// <summary>The list filters "publish" (host ports) and "expose" (container ports): "80", "80/tcp" or "8000-8080/tcp".</summary>
    public static bool Matches(ContainerRecord r, IEnumerable<string> values, bool publish) =>
        values.Any(v =>
        {
            string range = v;
            string? protocol = null;
            int slash = v.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                range = v[..slash];
                protocol = v[(slash + 1)..];
            }
            string[] ends = range.Split('-');
            int first = PortKey.ParsePort(ends[0], v, allowZero: false);
            int last = ends.Length > 1 ? PortKey.ParsePort(ends[1], v, allowZero: false) : first;
            return Summary(r).Any(p => (protocol is null || p.Type == protocol)
                && (publish ? p.PublicPort : p.PrivatePort) is int n && n >= first && n <= last);
        });

    private static string HostPort(int port) => port == 0 ? "" : port.ToString(CultureInfo.InvariantCulture);
}
