using Bulwark.Integration.Tests.Fixtures;
using static Bulwark.Integration.Tests.Networks.NetworkProbe;

namespace Bulwark.Integration.Tests.Ports;

/// <summary>daemon.json <c>"ip": "::1"</c> with <c>policy.published-ports.allowed-host-ips</c> in IPv6, on a daemon of its own.</summary>
public sealed class Ipv6DaemonIpTests : IAsyncLifetime
{
    private const string Httpd = "mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www";
    private const string DaemonJson = """
        {"ip": "::1", "policy": {"published-ports": {"allowed-host-ips": ["::1/128", "fd00:b1::/64"]}}}
        """;

    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync(DaemonJson);
        await _d.ImportBusyboxAsync(SharedDaemonFixture.Image);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task DaemonIpV6_IsTheDefaultHostAddress_AndServesHttpThroughIt()
    {
        await Ipv6Loopback.RequireAsync();
        string name = Unique("ip6");
        await _d.MustDockerAsync("run", "-d", "--name", name, "-p", "80", SharedDaemonFixture.Image, "sh", "-c", Httpd);
        string hostPort = (await _d.MustDockerAsync("port", name, "80")).Trim();
        Assert.Matches(@"^\[::1\]:\d+$", hostPort);
        Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(hostPort));
        // As dockerd: the bindings as sent (no address), the ports as bound (the daemon's address).
        Assert.Equal("""{"80/tcp":[{"HostIp":"","HostPort":""}]}""",
            (await _d.MustDockerAsync("inspect", "--format", "{{json .HostConfig.PortBindings}}", name)).Trim());
        Assert.Equal($$"""{"80/tcp":[{"HostIp":"::1","HostPort":"{{hostPort[(hostPort.LastIndexOf(':') + 1)..]}}"}]}""",
            (await _d.MustDockerAsync("inspect", "--format", "{{json .NetworkSettings.Ports}}", name)).Trim());
    }

    [Theory]
    [InlineData("127.0.0.1::80", "-p 127.0.0.1::80/tcp: host address 127.0.0.1 is not allowed")]
    [InlineData("[::2]::80", "-p [::2]::80/tcp: host address ::2 is not allowed")]
    public async Task PolicyAllowedHostIpsV6_RefusesAnAddressOutsideThem_NamingTheRule_AndCreatesNothing(string publish, string cause)
    {
        string name = Unique("ip6x");
        var refused = await _d.DockerAsync("run", "-d", "--name", name, "-p", publish, SharedDaemonFixture.Image, "true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains("policy \"published-ports.allowed-host-ips\" refuses " + cause, refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("(allowed: ::1/128, fd00:b1::/64)", refused.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await _d.DockerAsync("inspect", name)).ExitCode);
    }
}
