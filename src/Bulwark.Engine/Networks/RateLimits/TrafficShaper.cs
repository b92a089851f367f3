using System.Globalization;

namespace Bulwark.Engine.Networks.RateLimits;

/// <summary>
/// Applies a <see cref="RateLimit"/> to an endpoint with tc token-bucket filters on both ends of its veth pair, each
/// shaping what leaves that end: the host side's root qdisc limits what the container receives, the container side's
/// what it sends. Both are egress qdiscs, so no ifb device or policer is needed, and the container cannot remove its
/// own (NET_ADMIN is outside the capability allowlist).
/// </summary>
internal static class TrafficShaper
{
    /// <summary>tc arguments of a token bucket for the rate: burst of 1/50 s (at least 16 KiB), 100 ms queue.</summary>
    public static IReadOnlyList<string> TbfArgs(string device, ulong bitsPerSecond)
    {
        ulong burst = Math.Max(16_384, bitsPerSecond / 8 / 50);
        return ["qdisc", "replace", "dev", device, "root", "tbf",
            "rate", bitsPerSecond.ToString(CultureInfo.InvariantCulture) + "bit",
            "burst", burst.ToString(CultureInfo.InvariantCulture), "latency", "100ms"];
    }

    /// <summary>Lines for the network hook (host root, host namespaces; <c>$ns</c> is the container's namespace).</summary>
    public static string Script(RateLimit rate, string hostVeth, string containerInterface, Func<string, string> quote)
    {
        if (rate.IsUnlimited)
        {
            return "";
        }
        string tc = quote(HostCommand.Locate("tc"));
        string nsenter = quote(HostCommand.Locate("nsenter"));
        var sb = new System.Text.StringBuilder();
        if (rate.IngressBitsPerSecond is { } down)
        {
            sb.Append(tc).Append(' ').AppendJoin(' ', TbfArgs(hostVeth, down).Select(quote)).Append('\n');
        }
        if (rate.EgressBitsPerSecond is { } up)
        {
            sb.Append(nsenter).Append(" --net=\"$ns\" ").Append(tc).Append(' ')
                .AppendJoin(' ', TbfArgs(containerInterface, up).Select(quote)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The same for an endpoint connected while the container runs.</summary>
    public static async Task ApplyAsync(RateLimit rate, string hostVeth, string containerInterface, string netnsPath, CancellationToken ct)
    {
        if (rate.IngressBitsPerSecond is { } down)
        {
            await HostCommand.RunAsync("tc", TbfArgs(hostVeth, down), null, ct).ConfigureAwait(false);
        }
        if (rate.EgressBitsPerSecond is { } up)
        {
            await HostCommand.RunAsync("nsenter", ["--net=" + netnsPath, HostCommand.Locate("tc"), .. TbfArgs(containerInterface, up)], null, ct)
                .ConfigureAwait(false);
        }
    }
}
