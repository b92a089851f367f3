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
            var (key, binding) = ParsePublish(spec);
            exposed[key] = EmptyObject;
            if (!bindings.TryGetValue(key, out var list) || list is null)
            {
                bindings[key] = list = [];
            }
            list.Add(binding);
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

    private static (string Key, PortBindingDto Binding) ParsePublish(string spec)
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
        int port = Port(containerPort, spec, "container port");
        if (hostPort.Length > 0)
        {
            Port(hostPort, spec, "host port");
        }
        return ($"{port.ToString(CultureInfo.InvariantCulture)}/{protocol}", new PortBindingDto { HostIp = hostIp, HostPort = hostPort });
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
        throw new CliException(125, $"invalid argument \"{spec}\" for \"{flag}\" flag: {what} \"{text}\" is not a port number (1-65535; ranges are not supported)");
    }

    private static CliException Flag(string spec, string reason) =>
        new(125, $"invalid argument \"{spec}\" for \"-p, --publish\" flag: {reason}");
}
