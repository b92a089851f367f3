namespace Bulwark.Engine.Networks.Egress;

/// <summary>
/// nftables counters of an egress network: packets and bytes forwarded to allowed destinations, and packets dropped
/// (to any other destination, to the host's other addresses, or arriving unsolicited from outside).
/// </summary>
public sealed record EgressCounters(ulong AllowedPackets, ulong AllowedBytes, ulong DroppedPackets, ulong DroppedBytes);
