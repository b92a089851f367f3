using Bulwark.Api.Models.Networks;
using Bulwark.Engine.Networks;

namespace Bulwark.Daemon.Api.Networks;

/// <summary>Adds an egress network's allowlist and nftables counters to its inspect (<c>BulwarkEgress</c>).</summary>
internal static class NetworkEgressView
{
    public static async Task<NetworkDto> AddAsync(NetworkDto dto, DaemonServices s, CancellationToken ct)
    {
        if (!s.Containers.Networks.TryGet(dto.Id, out var n))
        {
            return dto; // a predefined network
        }
        var policy = NetworkOptionNames.Parse(n.Options).Egress;
        if (!policy.Enabled)
        {
            return dto;
        }
        var counters = await s.Containers.Networks.ReadEgressCountersAsync(n, ct).ConfigureAwait(false);
        return dto with
        {
            BulwarkEgress = new NetworkEgressDto
            {
                Allow = [.. policy.Allow.Select(r => r.ToString())],
                Allowed = new TrafficCounterDto { Packets = counters?.AllowedPackets ?? 0, Bytes = counters?.AllowedBytes ?? 0 },
                Dropped = new TrafficCounterDto { Packets = counters?.DroppedPackets ?? 0, Bytes = counters?.DroppedBytes ?? 0 },
            },
        };
    }
}
