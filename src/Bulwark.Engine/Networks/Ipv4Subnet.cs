using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks;

/// <summary>An IPv4 prefix ("172.30.0.0/24") with the arithmetic networks need: overlap, containment, host addresses.</summary>
public readonly record struct Ipv4Subnet
{
    public Ipv4Subnet(uint address, int prefixLength)
    {
        if (prefixLength is < 0 or > 32)
        {
            throw EngineException.Invalid($"invalid prefix length /{prefixLength}");
        }
        PrefixLength = prefixLength;
        Network = address & MaskOf(prefixLength);
    }

    public uint Network { get; }
    public int PrefixLength { get; }
    public uint Mask => MaskOf(PrefixLength);
    public uint Broadcast => Network | ~Mask;

    /// <summary>Parses "a.b.c.d/nn"; an IPv6 prefix is refused by name (networks are IPv4 only).</summary>
    public static Ipv4Subnet Parse(string cidr, string what)
    {
        RefuseIpv6(cidr, what);
        int slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int len) || len > 32)
        {
            throw EngineException.Invalid($"invalid {what} {cidr}: expected an IPv4 CIDR such as 172.30.5.0/24");
        }
        return new Ipv4Subnet(ParseAddress(cidr[..slash], what), len);
    }

    public static uint ParseAddress(string text, string what)
    {
        RefuseIpv6(text, what);
        string[] parts = text.Split('.');
        uint value = 0;
        if (parts.Length != 4)
        {
            throw EngineException.Invalid($"invalid {what} {text}: not an IPv4 address");
        }
        foreach (string p in parts)
        {
            if (p.Length is 0 or > 3 || !byte.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out byte b))
            {
                throw EngineException.Invalid($"invalid {what} {text}: not an IPv4 address");
            }
            value = (value << 8) | b;
        }
        return value;
    }

    public static string Format(uint address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}");

    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>True when the two prefixes share at least one address.</summary>
    public bool Overlaps(Ipv4Subnet other)
    {
        uint common = MaskOf(Math.Min(PrefixLength, other.PrefixLength));
        return (Network & common) == (other.Network & common);
    }

    /// <summary>True when every address of <paramref name="inner"/> is inside this prefix.</summary>
    public bool Covers(Ipv4Subnet inner) => inner.PrefixLength >= PrefixLength && Contains(inner.Network);

    public override string ToString() => Format(Network) + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);

    private static uint MaskOf(int prefixLength) => prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);

    private static void RefuseIpv6(string text, string what)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            throw EngineException.Invalid($"IPv6 is not supported on bulwark networks: {what} {text} is an IPv6 address; use an IPv4 subnet");
        }
    }
}
