using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks.Egress;

/// <summary>
/// One allowed destination: an IPv4 prefix and, optionally, ports of one protocol (tcp unless "/udp" is given, as in
/// <c>-p</c>). Without ports every protocol to the prefix is allowed.
/// </summary>
public sealed record EgressRule(Ipv4Subnet Destination, string? Protocol, IReadOnlyList<(int First, int Last)> Ports)
{
    /// <summary>
    /// Parses <c>CIDR[:PORTS][,PORTS…][,CIDR…]</c>: entries are comma-separated; a bare port (or range, or "53/udp")
    /// after an address entry adds to that entry's ports, so <c>10.99.0.0/24:80,443,192.0.2.7/32</c> is two rules.
    /// </summary>
    public static IReadOnlyList<EgressRule> ParseList(string text)
    {
        var rules = new List<EgressRule>();
        foreach (string raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0)
            {
                throw Bad(text, "an empty entry");
            }
            if (!raw.Contains('.', StringComparison.Ordinal) && !raw.Contains(':', StringComparison.Ordinal))
            {
                if (rules.Count == 0 || rules[^1].Ports.Count == 0)
                {
                    throw Bad(text, $"\"{raw}\" is a port without an address before it (write CIDR:PORT)");
                }
                var (proto, ports) = ParsePorts(raw, text);
                var last = rules[^1];
                if (proto != last.Protocol)
                {
                    throw Bad(text, $"\"{raw}\": one entry's ports share one protocol ({last.Protocol}); start a new CIDR:PORT entry");
                }
                rules[^1] = last with { Ports = [.. last.Ports, .. ports] };
                continue;
            }
            if (raw.Contains("::", StringComparison.Ordinal) || raw.Count(c => c == ':') > 1)
            {
                throw Bad(text, $"\"{raw}\" is an IPv6 destination: egress allowlists are IPv4 only");
            }
            int colon = raw.IndexOf(':', StringComparison.Ordinal);
            string cidr = colon < 0 ? raw : raw[..colon];
            var subnet = Ipv4Subnet.Parse(cidr.Contains('/', StringComparison.Ordinal) ? cidr : cidr + "/32", "egress destination");
            if (colon < 0)
            {
                rules.Add(new EgressRule(subnet, null, []));
            }
            else
            {
                var (proto, ports) = ParsePorts(raw[(colon + 1)..], text);
                rules.Add(new EgressRule(subnet, proto, ports));
            }
        }
        return rules;
    }

    /// <summary>"80", "8000-8080", "53/udp" → protocol and ranges.</summary>
    private static (string Protocol, IReadOnlyList<(int, int)> Ports) ParsePorts(string text, string whole)
    {
        string proto = "tcp";
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            proto = text[(slash + 1)..].ToLowerInvariant();
            text = text[..slash];
            if (proto is not ("tcp" or "udp"))
            {
                throw Bad(whole, $"protocol \"{proto}\" (tcp or udp)");
            }
        }
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        int first = Port(dash < 0 ? text : text[..dash], whole);
        int last = dash < 0 ? first : Port(text[(dash + 1)..], whole);
        if (last < first)
        {
            throw Bad(whole, $"port range {text} ends before it starts");
        }
        return (proto, [(first, last)]);
    }

    private static int Port(string text, string whole) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65535
            ? p
            : throw Bad(whole, $"\"{text}\" is not a port (1-65535)");

    private static EngineException Bad(string text, string why) =>
        EngineException.Invalid($"invalid {NetworkOptionNames.EgressAllowKey} \"{text}\": {why}");

    /// <summary>The nft match of this rule ("ip daddr 10.0.0.0/24 tcp dport { 80, 443 }").</summary>
    public string NftMatch()
    {
        string match = "ip daddr " + Destination;
        if (Protocol is null)
        {
            return match;
        }
        string ports = string.Join(", ", Ports.Select(p => p.First == p.Last
            ? p.First.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{p.First}-{p.Last}")));
        return $"{match} {Protocol} dport {{ {ports} }}";
    }

    public override string ToString() => Protocol is null
        ? Destination.ToString()
        : string.Create(CultureInfo.InvariantCulture,
            $"{Destination}:{string.Join(",", Ports.Select(p => p.First == p.Last ? $"{p.First}" : $"{p.First}-{p.Last}"))}/{Protocol}");
}
