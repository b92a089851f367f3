using System.Text;

namespace Bulwark.Engine.Networks.Egress;

/// <summary>
/// Renders the nftables scripts of egress networks. Everything lives in one table, <c>inet bulwark</c>; each network
/// owns three base chains and two named counters whose names end in the first 12 hex digits of its id (the same
/// suffix as its bridge <c>bw-…</c>), so daemons sharing a host never touch each other's rules. Base chains on the
/// same hook are evaluated one after the other: an accept ends only the network's own chain, a drop is final.
/// </summary>
internal static class NftRuleset
{
    public const string Table = "inet bulwark";
    public static readonly string[] ChainPrefixes = ["fwd_", "in_", "nat_"];
    public static readonly string[] CounterPrefixes = ["allowed_", "dropped_"];

    public static string Suffix(NetworkRecord n) => n.Id[..12];

    /// <summary>Creates or replaces the network's chains in one transaction; counters keep their values.</summary>
    public static string Apply(NetworkRecord n, EgressPolicy policy)
    {
        string id = Suffix(n);
        string br = n.BridgeName;
        var sb = new StringBuilder();
        sb.Append("add table ").Append(Table).Append('\n');
        sb.Append("add counter ").Append(Table).Append(" allowed_").Append(id).Append('\n');
        sb.Append("add counter ").Append(Table).Append(" dropped_").Append(id).Append('\n');
        Chain(sb, "fwd_" + id, "type filter hook forward priority filter; policy accept;");
        Chain(sb, "in_" + id, "type filter hook input priority filter; policy accept;");
        Chain(sb, "nat_" + id, "type nat hook postrouting priority srcnat; policy accept;");
        string fwd = $"add rule {Table} fwd_{id} ";
        // Traffic between containers of the network (seen here only when br_netfilter is loaded) is not egress.
        sb.Append(fwd).Append($"iifname \"{br}\" oifname \"{br}\" accept\n");
        // Other bulwark networks are never a destination, whatever the allowlist says (0.0.0.0/0 included): their
        // isolation does not depend on them having rules of their own.
        sb.Append(fwd).Append($"iifname \"{br}\" oifname \"bw-*\" counter name \"dropped_{id}\" drop\n");
        foreach (var rule in policy.Allow)
        {
            sb.Append(fwd).Append($"iifname \"{br}\" {rule.NftMatch()} counter name \"allowed_{id}\" accept\n");
        }
        sb.Append(fwd).Append($"iifname \"{br}\" counter name \"dropped_{id}\" drop\n");
        // From outside only replies reach the containers: nothing can open a connection into the network.
        sb.Append(fwd).Append($"oifname \"{br}\" ct state established,related accept\n");
        sb.Append(fwd).Append($"oifname \"{br}\" counter name \"dropped_{id}\" drop\n");
        // The default route makes every host address reachable by local delivery: only the gateway stays so (as on
        // networks without egress), the host's other addresses are not a way around the allowlist.
        sb.Append($"add rule {Table} in_{id} iifname \"{br}\" ip daddr != {n.Gateway} counter name \"dropped_{id}\" drop\n");
        sb.Append($"add rule {Table} nat_{id} ip saddr {n.Subnet} oifname != \"{br}\" masquerade\n");
        return sb.ToString();
    }

    /// <summary>Deletes the chains and counters with this suffix, whether or not they exist.</summary>
    public static string Remove(string id)
    {
        var sb = new StringBuilder();
        sb.Append("add table ").Append(Table).Append('\n');
        foreach (string prefix in ChainPrefixes)
        {
            sb.Append($"add chain {Table} {prefix}{id}\nflush chain {Table} {prefix}{id}\ndelete chain {Table} {prefix}{id}\n");
        }
        foreach (string prefix in CounterPrefixes)
        {
            sb.Append($"add counter {Table} {prefix}{id}\ndelete counter {Table} {prefix}{id}\n");
        }
        return sb.ToString();
    }

    private static void Chain(StringBuilder sb, string name, string hook)
    {
        // add (no-op when it exists) then flush: the rules are rebuilt, the chain and its hook stay in place.
        sb.Append($"add chain {Table} {name} {{ {hook} }}\nflush chain {Table} {name}\n");
    }
}
