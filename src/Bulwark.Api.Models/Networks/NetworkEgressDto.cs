namespace Bulwark.Api.Models.Networks;

/// <summary>
/// Bulwark's addition to a network's inspect (<c>BulwarkEgress</c>, only on networks created with
/// <c>com.bulwark.network.egress=true</c>): the allowlist as parsed and the firewall's counters.
/// </summary>
public sealed record NetworkEgressDto
{
    public IReadOnlyList<string> Allow { get; init; } = [];
    public TrafficCounterDto Allowed { get; init; } = new();
    public TrafficCounterDto Dropped { get; init; } = new();
}

public sealed record TrafficCounterDto
{
    public ulong Packets { get; init; }
    public ulong Bytes { get; init; }
}
