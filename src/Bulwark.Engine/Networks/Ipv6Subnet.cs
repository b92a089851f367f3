using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks;

/// <summary>
/// An IPv6 subnet of a network (<c>--ipv6 --subnet fd00:…/64</c>): parsing, membership and addresses by offset from
/// the subnet's base. Without a subnet from the caller a network gets a random unique local /64 (RFC 4193).
/// </summary>
public readonly record struct Ipv6Subnet(IPNetwork Network)
{
    /// <summary>Room for a gateway and containers: at most a /120.</summary>
    private const int LongestPrefix = 120;

    public int PrefixLength => Network.PrefixLength;

    public override string ToString() => Network.ToString();

    public static Ipv6Subnet Parse(string text, string what)
    {
        if (!IPNetwork.TryParse(text, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw EngineException.Invalid($"invalid {what} {text}: expected an IPv6 network address with a prefix (fd00:1::/64)");
        }
        string given = text[..text.IndexOf('/', StringComparison.Ordinal)];
        if (!IPAddress.Parse(given).Equals(network.BaseAddress))
        {
            throw EngineException.Invalid($"invalid {what} {text}: {given} is not the network address of a /{network.PrefixLength} ({network})");
        }
        if (network.PrefixLength > LongestPrefix)
        {
            throw EngineException.Invalid($"invalid {what} {text}: an IPv6 network needs at least a /{LongestPrefix}");
        }
        return new Ipv6Subnet(network);
    }

    /// <summary>fdXX:XXXX:XXXX::/64 with a random 40-bit global id.</summary>
    public static Ipv6Subnet RandomUniqueLocal()
    {
        byte[] bytes = new byte[16];
        bytes[0] = 0xfd;
        RandomNumberGenerator.Fill(bytes.AsSpan(1, 5));
        return new Ipv6Subnet(new IPNetwork(new IPAddress(bytes), 64));
    }

    public static IPAddress ParseAddress(string text, string what) =>
        IPAddress.TryParse(text, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6
            ? a
            : throw EngineException.Invalid($"invalid {what} {text}: not an IPv6 address");

    /// <summary>A host address of the subnet: inside it and not its base (the subnet-router anycast address).</summary>
    public bool IsHostAddress(IPAddress address) => Network.Contains(address) && !address.Equals(Network.BaseAddress);

    public bool Overlaps(Ipv6Subnet other) => Network.Contains(other.Network.BaseAddress) || other.Network.Contains(Network.BaseAddress);

    /// <summary>The address <paramref name="offset"/> above the base (no check that it is inside).</summary>
    public IPAddress At(ulong offset)
    {
        Span<byte> bytes = stackalloc byte[16];
        Network.BaseAddress.TryWriteBytes(bytes, out _);
        UInt128 value = BinaryPrimitives.ReadUInt128BigEndian(bytes) + offset;
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    /// <summary>The first host address from base+2 up (base+1 is the default gateway) not in <paramref name="used"/>.</summary>
    public IPAddress? FirstFree(IReadOnlySet<string> used)
    {
        ulong size = PrefixLength > 64 ? 1UL << (128 - PrefixLength) : ulong.MaxValue; // a /64 or larger: more than we ever scan
        for (ulong i = 2; i < size && i < 1UL << 20; i++)
        {
            var candidate = At(i);
            if (!used.Contains(candidate.ToString()))
            {
                return candidate;
            }
        }
        return null;
    }
}
