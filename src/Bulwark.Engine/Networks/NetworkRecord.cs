using System.Collections.Immutable;

namespace Bulwark.Engine.Networks;

/// <summary>
/// One user-defined network, persisted as <c>networks/&lt;id&gt;.json</c>. Immutable: every change replaces the record,
/// so readers never see a half-updated endpoint table.
/// </summary>
public sealed record NetworkRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Driver { get; init; } = "bridge";
    public required DateTimeOffset Created { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public IReadOnlyDictionary<string, string> Options { get; init; } = ImmutableDictionary<string, string>.Empty;
    /// <summary>What the caller asked for; a bulwark network is internal in effect unless created with egress (see Egress/).</summary>
    public bool Internal { get; init; }
    public required string Subnet { get; init; }
    public required string Gateway { get; init; }
    /// <summary>Sub-range containers get addresses from; null = the whole subnet.</summary>
    public string? IpRange { get; init; }
    /// <summary>True when the subnet was given by the caller (shown in IPAM.Config as given).</summary>
    public bool UserSubnet { get; init; }
    /// <summary>--ipv6: the network also has an IPv6 subnet and gateway.</summary>
    public bool EnableIPv6 { get; init; }
    public string? Subnet6 { get; init; }
    public string? Gateway6 { get; init; }
    /// <summary>Container id → endpoint.</summary>
    public ImmutableSortedDictionary<string, EndpointRecord> Endpoints { get; init; } = ImmutableSortedDictionary<string, EndpointRecord>.Empty;

    /// <summary>The Linux bridge realising the network (at most 15 characters).</summary>
    public string BridgeName => "bw-" + Id[..12];

    public Ipv4Subnet ParsedSubnet => Ipv4Subnet.Parse(Subnet, "subnet");

    /// <summary>The IPv6 subnet, or null on an IPv4-only network (computed, not stored).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Ipv6Subnet? ParsedSubnet6 => Subnet6 is { } s ? Ipv6Subnet.Parse(s, "subnet") : null;
}

/// <summary>A container's attachment to a network: its address, MAC, aliases and interface name inside the container.</summary>
public sealed record EndpointRecord
{
    public required string ContainerId { get; init; }
    public required string ContainerName { get; init; }
    public required string EndpointId { get; init; }
    /// <summary>Dotted IPv4 address without prefix.</summary>
    public required string IPv4Address { get; init; }
    public required string MacAddress { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>The address the caller asked for (--ip), or null.</summary>
    public string? RequestedAddress { get; init; }
    /// <summary>The IPv6 address on an IPv6 network (without prefix), else null.</summary>
    public string? IPv6Address { get; init; }
    /// <summary>The IPv6 address the caller asked for (--ip6), or null.</summary>
    public string? RequestedIPv6Address { get; init; }
    /// <summary>True when the MAC address was given by the caller (--mac-address).</summary>
    public bool RequestedMac { get; init; }
    /// <summary>--link on this network, "target:alias": the alias resolves to the target's address for this container only.</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
    /// <summary>Interface name inside the container ("eth0", "eth1", …).</summary>
    public required string Interface { get; init; }
    public DateTimeOffset Attached { get; init; }

    /// <summary>The host side of the veth pair (at most 15 characters).</summary>
    public string HostVeth => "bv" + EndpointId[..12];
}

/// <summary>What a caller asks for when creating a network.</summary>
public sealed record NetworkCreateSpec
{
    public required string Name { get; init; }
    public string Driver { get; init; } = "bridge";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = ImmutableDictionary<string, string>.Empty;
    public IReadOnlyDictionary<string, string> Options { get; init; } = ImmutableDictionary<string, string>.Empty;
    public bool Internal { get; init; }
    public bool EnableIPv6 { get; init; }
    public string? Subnet { get; init; }
    public string? Gateway { get; init; }
    public string? IpRange { get; init; }
    /// <summary>The IPv6 subnet (with <see cref="EnableIPv6"/>); null = a random unique local /64.</summary>
    public string? Subnet6 { get; init; }
    public string? Gateway6 { get; init; }
    /// <summary>More than one IPAM config entry (Docker allows several subnets): refused.</summary>
    public int IpamConfigCount { get; init; }
    public string IpamDriver { get; init; } = "default";
}

/// <summary>How a container asks to be attached: aliases and an optional fixed address.</summary>
public sealed record EndpointRequest
{
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public string? IPv4Address { get; init; }
    /// <summary>--ip6: a fixed IPv6 address on an IPv6 network.</summary>
    public string? IPv6Address { get; init; }
    /// <summary>--mac-address: a unicast MAC for the container's interface; null = derived from the address.</summary>
    public string? MacAddress { get; init; }
    /// <summary>--link "name[:alias]" entries (Docker's EndpointSettings.Links).</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
}
