using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks;

namespace Bulwark.Engine.Tests.Networks;

/// <summary>What callers give for an endpoint: --mac-address, --link, and IPv6 subnets and addresses.</summary>
public sealed class EndpointOptionsTests
{
    [Theory]
    [InlineData("92:D0:C6:0A:29:33", "92:d0:c6:0a:29:33")]
    [InlineData("02-42-ac-11-00-02", "02:42:ac:11:00:02")]
    public void MacAddress_IsNormalised(string given, string expected) => Assert.Equal(expected, MacAddresses.Parse(given));

    [Theory]
    [InlineData("01:00:5e:00:00:01", "unicast")]
    [InlineData("00:00:00:00:00:00", "unicast")]
    [InlineData("02:42:ac:11:00", "six hexadecimal bytes")]
    [InlineData("zz:42:ac:11:00:02", "six hexadecimal bytes")]
    public void MacAddress_MulticastOrMalformed_IsRefused(string given, string reason)
    {
        var ex = Assert.Throws<EngineException>(() => MacAddresses.Parse(given));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("db", "db:db")]
    [InlineData("/db:cache", "db:cache")]
    [InlineData("db:cache", "db:cache")]
    public void Link_IsNormalisedToTargetAndAlias(string given, string expected)
    {
        string link = EndpointLinks.Normalize(given);
        Assert.Equal(expected, link);
        Assert.Equal("db", EndpointLinks.Target(link));
        Assert.Equal(expected[3..], EndpointLinks.Alias(link));
    }

    [Theory]
    [InlineData("a:b:c")]
    [InlineData(":alias")]
    [InlineData("db:bad alias")]
    public void Link_Malformed_IsRefused(string given) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => EndpointLinks.Normalize(given)).Kind);

    [Fact]
    public void Ipv6Subnet_AddressesByOffset_FirstFreeSkipsGatewayAndUsed()
    {
        var subnet = Ipv6Subnet.Parse("fd00:bad:c0de:1::/64", "subnet");
        Assert.Equal("fd00:bad:c0de:1::1", subnet.At(1).ToString());
        Assert.Equal("fd00:bad:c0de:1::3", subnet.FirstFree(new HashSet<string> { "fd00:bad:c0de:1::1", "fd00:bad:c0de:1::2" })!.ToString());
        Assert.True(subnet.IsHostAddress(Ipv6Subnet.ParseAddress("fd00:bad:c0de:1::80", "a")));
        Assert.False(subnet.IsHostAddress(Ipv6Subnet.ParseAddress("fd00:bad:c0de:1::", "a")));
        Assert.False(subnet.IsHostAddress(Ipv6Subnet.ParseAddress("fd00:1::5", "a")));
        Assert.True(subnet.Overlaps(Ipv6Subnet.Parse("fd00:bad:c0de::/48", "subnet")));
        Assert.False(subnet.Overlaps(Ipv6Subnet.Parse("fd00:bad:c0de:2::/64", "subnet")));
        Assert.Equal("fd00:bad:c0de:1::2", subnet.FirstFree(new HashSet<string> { "fd00:bad:c0de:1::1" })!.ToString());
        var small = Ipv6Subnet.Parse("fd00:1::/120", "subnet");
        Assert.Equal("fd00:1::fe", small.FirstFree(Enumerable.Range(1, 253).Select(i => small.At((ulong)i).ToString()).ToHashSet())!.ToString());
        Assert.Null(small.FirstFree(Enumerable.Range(1, 255).Select(i => small.At((ulong)i).ToString()).ToHashSet()));
    }

    [Theory]
    [InlineData("10.0.0.0/24")]
    [InlineData("fd00::5/64")]
    [InlineData("fd00::/124")]
    public void Ipv6Subnet_NotAnIpv6NetworkAddressOrTooSmall_IsRefused(string given) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => Ipv6Subnet.Parse(given, "subnet")).Kind);

    [Fact]
    public void Ipv6Subnet_Random_IsAUniqueLocal64()
    {
        var subnet = Ipv6Subnet.RandomUniqueLocal();
        Assert.Equal(64, subnet.PrefixLength);
        Assert.StartsWith("fd", subnet.ToString(), StringComparison.Ordinal);
    }
}
