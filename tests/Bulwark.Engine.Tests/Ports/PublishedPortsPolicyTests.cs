using System.Net;
using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Ports;
using Bulwark.Engine.Security.Policy;

namespace Bulwark.Engine.Tests.Ports;

public sealed class PublishedPortsPolicyTests
{
    private static readonly IPAddress Default = IPAddress.Loopback;

    [Fact]
    public void Default_AllowsLoopbackOnUnprivilegedAndKernelChosenPorts()
    {
        new PublishedPortsPolicy().Check([Bind(("127.0.0.1", 0)), Bind(("127.0.0.9", 8080))], Default);
    }

    [Theory]
    [InlineData("0.0.0.0", 8080, "published-ports.allowed-host-ips")]
    [InlineData("192.0.2.1", 0, "published-ports.allowed-host-ips")]
    [InlineData("127.0.0.1", 80, "published-ports.allow-privileged-ports")]
    public void Default_RefusesWildcardAndPrivilegedPorts_NamingTheRule(string ip, int port, string rule)
    {
        var ex = Assert.Throws<EngineException>(() => new PublishedPortsPolicy().Check([Bind((ip, port))], Default));
        Assert.Equal(ErrorKind.Forbidden, ex.Kind);
        Assert.Equal(rule, ex.Rule);
        Assert.Contains($"policy \"{rule}\" refuses -p {ip}:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowedRanges_AllowAHostPortRangeOnlyWhenEveryPortOfItIs()
    {
        var policy = new PublishedPortsPolicy { AllowedRanges = [(8000, 8005)] };
        policy.Check([new PortBindingSpec(80, "tcp", "127.0.0.1", 8000, 8005)], Default);
        var ex = Assert.Throws<EngineException>(() => policy.Check([new PortBindingSpec(80, "tcp", "127.0.0.1", 8004, 8010)], Default));
        Assert.Equal("published-ports.allowed-ranges", ex.Rule);
        Assert.Contains("-p 127.0.0.1:8004-8010:80/tcp", ex.Message, StringComparison.Ordinal);
        Assert.Contains("host port 8004-8010 (port 8006) is outside the allowed ranges (8000-8005)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_LoopbackAndAllowedPrefixesPass_OthersAreRefusedNamingTheAddressInBrackets()
    {
        new PublishedPortsPolicy().Check([Bind(("::1", 0)), Bind(("::1", 8080))], Default);
        var policy = new PublishedPortsPolicy { AllowedHostIps = [IPNetwork.Parse("::1/128"), IPNetwork.Parse("fd00::/64")] };
        policy.Check([Bind(("fd00::5", 8080)), Bind(("::1", 0))], Default);
        var ex = Assert.Throws<EngineException>(() => policy.Check([Bind(("::2", 8080))], Default));
        Assert.Equal("published-ports.allowed-host-ips", ex.Rule);
        Assert.Contains("refuses -p [::2]:8080:80/tcp: host address ::2 is not allowed (allowed: ::1/128, fd00::/64)", ex.Message, StringComparison.Ordinal);
        Assert.Equal("published-ports.allowed-host-ips", Assert.Throws<EngineException>(() => policy.Check([Bind(("127.0.0.1", 0))], Default)).Rule);
    }

    [Fact]
    public void DaemonIp_Ipv6_IsAllowedByDefault()
    {
        new PublishedPortsPolicy().Check([Bind(("fd00::1", 8080))], IPAddress.Parse("fd00::1"));
    }

    [Fact]
    public void DaemonIp_IsAllowedByDefault()
    {
        new PublishedPortsPolicy().Check([Bind(("0.0.0.0", 8080))], IPAddress.Any);
    }

    [Fact]
    public void Reader_BindsEveryKey_AndTheRulesApply()
    {
        var policy = DaemonPolicyReader.Read(JsonDocument.Parse("""
            {"published-ports": {"allowed-host-ips": ["10.0.0.0/8", "127.0.0.1"], "allowed-ranges": ["80", "8000-8099"], "allow-privileged-ports": true}}
            """).RootElement).PublishedPorts;
        policy.Check([Bind(("10.1.2.3", 80)), Bind(("127.0.0.1", 8099)), Bind(("127.0.0.1", 0))], Default);
        var ex = Assert.Throws<EngineException>(() => policy.Check([Bind(("127.0.0.1", 8100))], Default));
        Assert.Equal("published-ports.allowed-ranges", ex.Rule);
        Assert.Contains("80-80, 8000-8099", ex.Message, StringComparison.Ordinal);
        Assert.Equal("published-ports.allowed-host-ips", Assert.Throws<EngineException>(() => policy.Check([Bind(("127.0.0.2", 0))], Default)).Rule);
    }

    [Theory]
    [InlineData("""{"allowed-ranges": ["9000-8000"]}""", "not a port range")]
    [InlineData("""{"allowed-host-ips": ["localhost"]}""", "not an address or CIDR")]
    [InlineData("""{"allow-privileged-ports": "yes"}""", "must be true or false")]
    [InlineData("""{"ranges": []}""", "unknown policy key \"published-ports.ranges\"")]
    public void Reader_RefusesBadValues_NamingTheKey(string json, string message)
    {
        var ex = Assert.Throws<EngineException>(() => PublishedPortsPolicyReader.Read(JsonDocument.Parse(json).RootElement));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    private static PortBindingSpec Bind((string Ip, int Port) b) => new(80, "tcp", b.Ip, b.Port);
}
