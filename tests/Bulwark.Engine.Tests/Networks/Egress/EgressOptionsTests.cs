using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks;
using Bulwark.Engine.Networks.Egress;

namespace Bulwark.Engine.Tests.Networks.Egress;

public sealed class EgressOptionsTests
{
    private static Dictionary<string, string> Opts(params (string K, string V)[] kv) => kv.ToDictionary(x => x.K, x => x.V);

    [Fact]
    public void AllowList_BarePortsJoinThePreviousEntry_AnAddressStartsANewOne()
    {
        var rules = EgressRule.ParseList("10.99.0.0/24:80,443,192.0.2.7/32");
        Assert.Equal(2, rules.Count);
        Assert.Equal("ip daddr 10.99.0.0/24 tcp dport { 80, 443 }", rules[0].NftMatch());
        Assert.Equal("ip daddr 192.0.2.7/32", rules[1].NftMatch());
        Assert.Equal("10.99.0.0/24:80,443/tcp", rules[0].ToString());
    }

    [Fact]
    public void AllowList_UdpRangesAndBareAddresses()
    {
        var rules = EgressRule.ParseList("10.0.0.53:53/udp,192.0.2.0/24:8000-8080");
        Assert.Equal("ip daddr 10.0.0.53/32 udp dport { 53 }", rules[0].NftMatch());
        Assert.Equal("ip daddr 192.0.2.0/24 tcp dport { 8000-8080 }", rules[1].NftMatch());
    }

    [Theory]
    [InlineData("80", "a port without an address")]
    [InlineData("10.0.0.0/24:0", "is not a port")]
    [InlineData("10.0.0.0/24:90-80", "ends before it starts")]
    [InlineData("10.0.0.0/24:80/sctp", "protocol \"sctp\"")]
    [InlineData("10.0.0.0/24:80,53/udp", "share one protocol")]
    [InlineData("2001:db8::/32", "IPv6")]
    [InlineData("10.0.0.0/24,,10.1.0.0/24", "an empty entry")]
    public void AllowList_BadEntries_AreRefusedNamingTheCause(string text, string cause)
    {
        var ex = Assert.Throws<EngineException>(() => EgressRule.ParseList(text));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(cause, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_UnknownBulwarkKey_IsRefusedByName_OthersAreIgnored()
    {
        var ex = Assert.Throws<EngineException>(() => NetworkOptionNames.Parse(Opts(("com.bulwark.network.egress.allowed", "x"))));
        Assert.Contains("unknown network option com.bulwark.network.egress.allowed", ex.Message, StringComparison.Ordinal);
        var parsed = NetworkOptionNames.Parse(Opts(("com.docker.network.bridge.name", "x")));
        Assert.False(parsed.Egress.Enabled);
        Assert.True(parsed.Rate.IsUnlimited);
    }

    [Fact]
    public void Options_EgressNeedsAnAllowList_AndAnAllowListNeedsEgress()
    {
        Assert.Contains("needs com.bulwark.network.egress.allow",
            Assert.Throws<EngineException>(() => EgressPolicy.Parse(Opts(("com.bulwark.network.egress", "true")))).Message, StringComparison.Ordinal);
        Assert.Contains("needs com.bulwark.network.egress=true",
            Assert.Throws<EngineException>(() => EgressPolicy.Parse(Opts(("com.bulwark.network.egress.allow", "10.0.0.0/8")))).Message, StringComparison.Ordinal);
        Assert.Same(EgressPolicy.None, EgressPolicy.Parse(Opts(("com.bulwark.network.egress", "false"))));
    }

    [Fact]
    public void Ruleset_AllowsListedDestinations_DropsTheRest_AndMasqueradesOnlyTheSubnet()
    {
        var n = new NetworkRecord { Id = "0123456789ab" + new string('c', 52), Name = "n", Created = DateTimeOffset.UnixEpoch, Subnet = "172.30.1.0/24", Gateway = "172.30.1.1" };
        var policy = EgressPolicy.Parse(Opts(("com.bulwark.network.egress", "true"), ("com.bulwark.network.egress.allow", "10.99.0.0/24:80")));
        string script = NftRuleset.Apply(n, policy);
        string[] lines = script.Split('\n');
        int allow = Array.FindIndex(lines, l => l.Contains("ip daddr 10.99.0.0/24 tcp dport { 80 } counter name \"allowed_0123456789ab\" accept", StringComparison.Ordinal));
        int drop = Array.FindIndex(lines, l => l.EndsWith("iifname \"bw-0123456789ab\" counter name \"dropped_0123456789ab\" drop", StringComparison.Ordinal));
        Assert.True(allow > 0 && drop > allow, script);
        Assert.Contains("add rule inet bulwark nat_0123456789ab ip saddr 172.30.1.0/24 oifname != \"bw-0123456789ab\" masquerade", script, StringComparison.Ordinal);
        Assert.Contains("in_0123456789ab iifname \"bw-0123456789ab\" ip daddr != 172.30.1.1 counter name \"dropped_0123456789ab\" drop", script, StringComparison.Ordinal);
        Assert.Contains("oifname \"bw-0123456789ab\" ct state established,related accept", script, StringComparison.Ordinal);
        int otherBridges = Array.FindIndex(lines, l => l.EndsWith("iifname \"bw-0123456789ab\" oifname \"bw-*\" counter name \"dropped_0123456789ab\" drop", StringComparison.Ordinal));
        Assert.True(otherBridges > 0 && otherBridges < allow, script);
        string remove = NftRuleset.Remove("0123456789ab");
        Assert.Contains("delete chain inet bulwark fwd_0123456789ab", remove, StringComparison.Ordinal);
        Assert.Contains("delete counter inet bulwark dropped_0123456789ab", remove, StringComparison.Ordinal);
    }
}
