using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks;

namespace Bulwark.Engine.Tests.Networks;

public sealed class SubnetAllocatorTests
{
    private static Ipv4Subnet S(string cidr) => Ipv4Subnet.Parse(cidr, "subnet");

    [Fact]
    public void PickAutomatic_NothingInUse_TakesTheFirstPoolSubnet() =>
        Assert.Equal("172.30.0.0/24", SubnetAllocator.PickAutomatic([])!.Value.ToString());

    [Fact]
    public void PickAutomatic_SkipsHostRoutesAndOtherNetworks()
    {
        // A host route covering the first four /24s, and a network on the fifth.
        var picked = SubnetAllocator.PickAutomatic([S("172.30.0.0/22"), S("172.30.4.0/24"), S("192.0.2.0/24")]);
        Assert.Equal("172.30.5.0/24", picked!.Value.ToString());
    }

    [Fact]
    public void PickAutomatic_WholePoolCoveredByARoute_ReturnsNull() =>
        Assert.Null(SubnetAllocator.PickAutomatic([S("172.16.0.0/12")]));

    [Theory]
    [InlineData("192.0.2.0/25", "192.0.2.0/24", true)]
    [InlineData("192.0.2.128/25", "192.0.2.0/24", true)]
    [InlineData("192.0.3.0/24", "192.0.2.0/24", false)]
    [InlineData("10.0.0.0/8", "10.200.1.0/24", true)]
    [InlineData("172.30.1.0/24", "172.30.0.0/24", false)]
    public void Overlaps_IsSymmetricAndExact(string a, string b, bool expected)
    {
        Assert.Equal(expected, S(a).Overlaps(S(b)));
        Assert.Equal(expected, S(b).Overlaps(S(a)));
    }

    [Fact]
    public void FirstOverlap_NamesTheClashingPrefix() =>
        Assert.Equal("192.0.2.0/24", SubnetAllocator.FirstOverlap(S("192.0.2.64/26"), [S("10.0.0.0/8"), S("192.0.2.0/24")])!.Value.ToString());

    [Fact]
    public void Parse_NormalisesHostBitsAndRefusesIpv6ByName()
    {
        Assert.Equal("10.1.2.0/24", S("10.1.2.77/24").ToString());
        var ex = Assert.Throws<EngineException>(() => S("fd00::/64"));
        Assert.Contains("IPv6", ex.Message, StringComparison.Ordinal);
        Assert.Throws<EngineException>(() => S("10.1.2.0"));
        Assert.Throws<EngineException>(() => S("300.1.2.0/24"));
    }

    [Fact]
    public void FirstFree_SkipsNetworkGatewayAndUsedAndHonoursTheRange()
    {
        var subnet = S("10.9.0.0/24");
        uint gw = Ipv4Subnet.ParseAddress("10.9.0.1", "gw");
        Assert.Equal("10.9.0.2", Ipv4Subnet.Format(NetworkService.FirstFree(subnet, subnet, new HashSet<uint> { gw })!.Value));
        Assert.Equal("10.9.0.128", Ipv4Subnet.Format(NetworkService.FirstFree(subnet, S("10.9.0.128/25"), new HashSet<uint> { gw })!.Value));
        var full = Enumerable.Range(1, 254).Select(i => subnet.Network + (uint)i).ToHashSet();
        Assert.Null(NetworkService.FirstFree(subnet, subnet, full));
    }

    [Fact]
    public void MacFor_IsDockerStyleFromTheAddress() =>
        Assert.Equal("02:42:ac:1e:00:02", NetworkService.MacFor(Ipv4Subnet.ParseAddress("172.30.0.2", "a")));

    [Fact]
    public void HostAddressSpace_ParsesProcRouteAndIpAddr()
    {
        const string route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
            "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
            "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        var routes = HostAddressSpace.ParseProcRoute(route).ToList();
        Assert.Contains((S("192.0.2.0/24"), "eth0"), routes);
        Assert.Contains((S("0.0.0.0/0"), "eth0"), routes);
        var addrs = HostAddressSpace.ParseIpAddr("1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n").ToList();
        Assert.Equal([(S("127.0.0.0/8"), "lo"), (S("192.0.2.0/24"), "eth0")], addrs);
    }
}
