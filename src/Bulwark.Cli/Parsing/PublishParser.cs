using System.Globalization;
using System.Net;
using System.Text.Json;
using Bulwark.Api.Models.Containers;

namespace Bulwark.Cli.Parsing;

/// <summary>
/// <c>-p [hostip:][hostport:]containerport[/tcp|udp]</c> and <c>--expose port[-port][/proto]</c> → HostConfig.PortBindings
/// and Config.ExposedPorts, as docker CLI 28 sends them (an omitted host port is "", a kernel-chosen one).
/// </summary>
internal static class PublishParser
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public static (Dictionary<string, List<PortBindingDto>?> Bindings, Dictionary<string, JsonElement>? Exposed) Parse(
        IReadOnlyList<string> publish, IReadOnlyList<string> expose)
    {
        var bindings = new Dictionary<string, List<PortBindingDto>?>(StringComparer.Ordinal);
        var exposed = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (string spec in publish)
        {
            foreach (var (key, binding) in ParsePublish(spec))
            {
                exposed[key] = EmptyObject;
                if (!bindings.TryGetValue(key, out var list) || list is null)
                {
                    bindings[key] = list = [];
                }
                list.Add(binding);
            }
        }
        foreach (string spec in expose)
        {
            foreach (string key in ParseExpose(spec))
            {
                exposed[key] = EmptyObject;
            }
        }
        return (bindings, exposed.Count > 0 ? exposed : null);
    }

    /// <summary>
    /// One -p value: a container port range is published pairwise onto an equally long host range
    /// (<c>8000-8001:80-81</c>); one container port with a host range takes a free port of it at start
    /// (<c>8000-8010:80</c>, sent as Docker does, the range as the host port).
    /// </summary>
    private static List<(string Key, PortBindingDto Binding)> ParsePublish(string spec)
    {
        string rest = spec;
        string protocol = "tcp";
        int slash = rest.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = rest[(slash + 1)..].ToLowerInvariant();
            rest = rest[..slash];
        }
        if (protocol is not ("tcp" or "udp"))
        {
            throw Flag(spec, $"protocol \"{protocol}\" is not supported (tcp or udp)");
        }
        string hostIp = "";
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= rest.Length || rest[close + 1] != ':')
            {
                throw Flag(spec, "an IPv6 host address is written [addr]:hostport:containerport");
            }
            hostIp = rest[1..close];
            rest = rest[(close + 2)..];
            if (!rest.Contains(':', StringComparison.Ordinal))
            {
                rest = ":" + rest;
            }
        }
        string[] parts = rest.Split(':');
        string hostPort;
        string containerPort;
        switch (parts.Length)
        {
            case 1:
                hostPort = "";
                containerPort = parts[0];
                break;
            case 2:
                hostPort = parts[0];
                containerPort = parts[1];
                break;
            case 3 when hostIp.Length == 0:
                hostIp = parts[0];
                hostPort = parts[1];
                containerPort = parts[2];
                break;
            default:
                throw Flag(spec, "expected [hostip:][hostport:]containerport[/protocol]");
        }
        if (hostIp.Length > 0 && !IPAddress.TryParse(hostIp, out _))
        {
            throw Flag(spec, $"\"{hostIp}\" is not an IP address");
        }
        var (first, last) = PortRange(containerPort, spec, "container port");
        var (hostFirst, hostLast) = hostPort.Length > 0 ? PortRange(hostPort, spec, "host port") : (0, 0);
        if (hostPort.Length > 0 && last - first != hostLast - hostFirst && last != first)
        {
            // docker CLI's words (go-connections nat.ParsePortSpec).
            throw new CliException(125, $"invalid ranges specified for container and host Ports: {containerPort} and {hostPort}");
        }
        var result = new List<(string, PortBindingDto)>();
        for (int port = first; port <= last; port++)
        {
            string host = hostPort.Length == 0 ? ""
                : last != first ? (hostFirst + port - first).ToString(CultureInfo.InvariantCulture)
                : hostPort;
            result.Add(($"{port.ToString(CultureInfo.InvariantCulture)}/{protocol}", new PortBindingDto { HostIp = hostIp, HostPort = host }));
        }
        return result;
    }

    private static (int First, int Last) PortRange(string text, string spec, string what)
    {
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            int port = Port(text, spec, what);
            return (port, port);
        }
        int first = Port(text[..dash], spec, what);
        int last = Port(text[(dash + 1)..], spec, what);
        if (last < first)
        {
            throw Flag(spec, $"invalid range {text}: it ends before it starts");
        }
        return (first, last);
    }

    private static IEnumerable<string> ParseExpose(string spec)
    {
        string range = spec;
        string protocol = "tcp";
        int slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant();
            range = spec[..slash];
        }
        if (protocol is not ("tcp" or "udp"))
        {
            throw new CliException(125, $"invalid argument \"{spec}\" for \"--expose\" flag: protocol \"{protocol}\" is not supported (tcp or udp)");
        }
        string[] ends = range.Split('-');
        int first = Port(ends[0], spec, "port", "--expose");
        int last = ends.Length == 2 ? Port(ends[1], spec, "port", "--expose") : first;
        if (ends.Length > 2 || last < first)
        {
            throw new CliException(125, $"invalid argument \"{spec}\" for \"--expose\" flag: invalid range");
        }
        return Enumerable.Range(first, last - first + 1).Select(p => $"{p.ToString(CultureInfo.InvariantCulture)}/{protocol}");
    }

    private static int Port(string text, string spec, string what, string flag = "-p, --publish")
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535)
        {
            return port;
        }
        throw new CliException(125, $"invalid argument \"{spec}\" for \"{flag}\" flag: {what} \"{text}\" is not a port number (1-65535)");
    }

    private static CliException Flag(string spec, string reason) =>
        new(125, $"invalid argument \"{spec}\" for \"-p, --publish\" flag: {reason}");
}
