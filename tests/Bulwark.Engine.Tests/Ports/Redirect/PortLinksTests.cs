using System.Diagnostics;
using System.Net;
using Bulwark.Engine.Ports;
using Bulwark.Engine.Ports.Redirect;

namespace Bulwark.Engine.Tests.Ports.Redirect;

/// <summary>Port link addressing, naming and the nftables guard (checked by nft itself, without applying it).</summary>
public sealed class PortLinksTests
{
    [Theory]
    [InlineData(0, "169.254.64.1", "169.254.64.2")]
    [InlineData(1, "169.254.64.5", "169.254.64.6")]
    [InlineData(64, "169.254.65.1", "169.254.65.2")]
    [InlineData(4095, "169.254.127.253", "169.254.127.254")]
    public void Addresses_AreTheTwoHostsOfTheIndexth30Of169_254_64_0_18(int index, string host, string container)
    {
        var (h, c) = PortLinks.Addresses(index);
        Assert.Equal(IPAddress.Parse(host), h);
        Assert.Equal(IPAddress.Parse(container), c);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4096)]
    public void Addresses_OutsideThePool_AreRefused(int index) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PortLinks.Addresses(index));

    [Fact]
    public void HostInterface_IsBwpAndTwelveHexDigits_WithinIfnamsiz() =>
        Assert.Equal("bwp0123456789ab", PortLinks.HostInterfaceOf("0123456789abcdef0123"));

    [Fact]
    public void GuardRuleset_IsAcceptedByNft()
    {
        var psi = new ProcessStartInfo("nft", ["-c", "-f", "-"]) { RedirectStandardInput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(PortLinks.GuardRuleset);
        p.StandardInput.Close();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
        Assert.Contains("tcp flags & (syn | ack) == syn drop", PortLinks.GuardRuleset, StringComparison.Ordinal);
    }

    [Fact]
    public void Redirectable_TakesTcpOnIpv4HostAddresses_AndSends0000ToLoopback()
    {
        var ports = new List<PublishedPort>
        {
            new(80, "tcp", "127.0.0.1", 8080),
            new(81, "tcp", "0.0.0.0", 8081),
            new(82, "udp", "127.0.0.1", 8082),
            new(83, "tcp", "::1", 8083),
            new(84, "tcp", "10.1.2.3", 8084),
        };
        var r = PortRedirector.Redirectable(ports);
        Assert.Equal(
            [(IPAddress.Loopback, 8080, 80), (IPAddress.Loopback, 8081, 81), (IPAddress.Parse("10.1.2.3"), 8084, 84)],
            r);
    }

    [Fact]
    public void Key_CarriesNamespaceAddressAndPortInNetworkOrder()
    {
        byte[] key = ConnectRedirectProgram.Key(0x0102030405060708, IPAddress.Parse("127.0.0.1"), 0x1f90);
        Assert.Equal(new byte[] { 8, 7, 6, 5, 4, 3, 2, 1, 127, 0, 0, 1, 0x1f, 0x90, 0, 0 }, key);
        Assert.Equal(new byte[] { 169, 254, 64, 2, 0, 80, 0, 0 }, ConnectRedirectProgram.Value(IPAddress.Parse("169.254.64.2"), 80));
    }
}
