using System.Globalization;
using System.Text.RegularExpressions;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks.Egress;

/// <summary>
/// Applies egress networks' rules with the <c>nft</c> binary (Debian package nftables): NAT (masquerade) to the
/// host's route for allowed destinations, everything else dropped and counted. See <see cref="NftRuleset"/> for the
/// layout. The host's <c>net.ipv4.ip_forward</c> is never changed: egress needs it on and says so.
/// </summary>
internal sealed partial class EgressFirewall
{
    private const string IpForward = "/proc/sys/net/ipv4/ip_forward";

    /// <summary>Throws unless the host can forward and nft is installed: checked before anything is created.</summary>
    public static void RequireHostSupport()
    {
        if (!File.Exists(IpForward) || File.ReadAllText(IpForward).Trim() != "1")
        {
            throw new EngineException(ErrorKind.Unavailable,
                "egress needs IPv4 forwarding on the host, and net.ipv4.ip_forward is 0: bulwark does not change host sysctls; " +
                "enable it with sysctl -w net.ipv4.ip_forward=1 (and in /etc/sysctl.d to keep it)");
        }
        if (!NftInstalled)
        {
            throw new EngineException(ErrorKind.Unavailable, "egress needs nftables: the nft binary (Debian package nftables) is not installed");
        }
    }

    private static readonly string[] NftPaths = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"];

    private static bool NftInstalled => NftPaths.Any(File.Exists);

    public async Task ApplyAsync(NetworkRecord n, EgressPolicy policy, CancellationToken ct) =>
        await HostCommand.RunAsync("nft", ["-f", "-"], NftRuleset.Apply(n, policy), ct).ConfigureAwait(false);

    /// <summary>Removes the network's chains and counters; a network that has none (no egress) touches nothing, so
    /// removing it never creates the table.</summary>
    public async Task RemoveAsync(NetworkRecord n, CancellationToken ct)
    {
        if (!NftInstalled)
        {
            return;
        }
        string id = NftRuleset.Suffix(n);
        var (code, listing, _) = await HostCommand.TryRunAsync("nft", ["list", "table", NftRuleset.Table], null, ct).ConfigureAwait(false);
        if (code == 0 && OwnedName().Matches(listing).Any(m => m.Groups[1].Value == id))
        {
            await HostCommand.RunAsync("nft", ["-f", "-"], NftRuleset.Remove(id), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Daemon start: rebuilds the rules of this daemon's egress networks, removes those of its networks without egress
    /// and those of any network whose bridge no longer exists on the host (left behind by a daemon killed mid-removal).
    /// Chains of bridges that exist but are not ours belong to another daemon and are left alone.
    /// </summary>
    public async Task ReconcileAsync(IReadOnlyCollection<NetworkRecord> networks, CancellationToken ct)
    {
        if (!NftInstalled)
        {
            return;
        }
        var ours = networks.ToDictionary(NftRuleset.Suffix, StringComparer.Ordinal);
        var (code, listing, _) = await HostCommand.TryRunAsync("nft", ["list", "table", NftRuleset.Table], null, ct).ConfigureAwait(false);
        var present = code == 0
            ? OwnedName().Matches(listing).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (string id in present)
        {
            bool stale = ours.TryGetValue(id, out var n)
                ? !NetworkOptionNames.Parse(n.Options).Egress.Enabled
                : !LinuxBridge.LinkExists("bw-" + id);
            if (stale)
            {
                await HostCommand.RunAsync("nft", ["-f", "-"], NftRuleset.Remove(id), ct).ConfigureAwait(false);
            }
        }
        foreach (var n in networks)
        {
            var policy = NetworkOptionNames.Parse(n.Options).Egress;
            if (policy.Enabled)
            {
                await ApplyAsync(n, policy, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The network's counters, or null when its chains are missing.</summary>
    public async Task<EgressCounters?> ReadCountersAsync(NetworkRecord n, CancellationToken ct)
    {
        if (!NftInstalled)
        {
            return null;
        }
        string id = NftRuleset.Suffix(n);
        var allowed = await ReadCounterAsync("allowed_" + id, ct).ConfigureAwait(false);
        var dropped = await ReadCounterAsync("dropped_" + id, ct).ConfigureAwait(false);
        return allowed is null || dropped is null
            ? null
            : new EgressCounters(allowed.Value.Packets, allowed.Value.Bytes, dropped.Value.Packets, dropped.Value.Bytes);
    }

    private static async Task<(ulong Packets, ulong Bytes)?> ReadCounterAsync(string name, CancellationToken ct)
    {
        var (code, text, _) = await HostCommand.TryRunAsync("nft", ["list", "counter", NftRuleset.Table, name], null, ct).ConfigureAwait(false);
        var m = CounterValues().Match(text);
        return code == 0 && m.Success
            ? (ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), ulong.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
            : null;
    }

    [GeneratedRegex(@"(?:chain|counter) (?:fwd|in|nat|allowed|dropped)_([0-9a-f]{12}) ", RegexOptions.CultureInvariant)]
    private static partial Regex OwnedName();

    [GeneratedRegex(@"packets (\d+) bytes (\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex CounterValues();
}
