namespace Bulwark.Engine.Networks;

/// <summary>
/// Chooses subnets for networks: automatic ones come from 172.30.0.0/15 in /24 steps, skipping every prefix that
/// overlaps an address space already in use (host routes and addresses, other networks); explicit ones are checked
/// against the same list.
/// </summary>
public static class SubnetAllocator
{
    /// <summary>The automatic pool: 172.30.0.0/24 … 172.31.255.0/24 (512 networks).</summary>
    public static readonly Ipv4Subnet Pool = new(0xAC1E0000, 15);
    public const int AutomaticPrefixLength = 24;

    /// <summary>The first pool subnet that overlaps nothing in <paramref name="inUse"/>, or null when the pool is exhausted.</summary>
    public static Ipv4Subnet? PickAutomatic(IReadOnlyCollection<Ipv4Subnet> inUse)
    {
        uint step = 1u << (32 - AutomaticPrefixLength);
        for (uint net = Pool.Network; Pool.Contains(net); net += step)
        {
            var candidate = new Ipv4Subnet(net, AutomaticPrefixLength);
            if (FirstOverlap(candidate, inUse) is null)
            {
                return candidate;
            }
            if (net + step < net)
            {
                break;
            }
        }
        return null;
    }

    /// <summary>The first prefix of <paramref name="inUse"/> that shares an address with <paramref name="candidate"/>.</summary>
    public static Ipv4Subnet? FirstOverlap(Ipv4Subnet candidate, IEnumerable<Ipv4Subnet> inUse)
    {
        foreach (var s in inUse)
        {
            if (candidate.Overlaps(s))
            {
                return s;
            }
        }
        return null;
    }
}
