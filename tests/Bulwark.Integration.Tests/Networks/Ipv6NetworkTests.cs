using static Bulwark.Integration.Tests.Networks.NetworkProbe;
using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Networks;

/// <summary>
/// IPv6 on user networks (network create --ipv6 --subnet fd…/64, --ip6 on run and connect): addresses in inspect and
/// container-to-container TCP over IPv6 proven from inside busybox containers. The host's sysctls are only read.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class Ipv6NetworkTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    /// <summary>GETs /f from [address]:8080 with nc until a deadline (the server may not listen yet); prints the body.
    /// (busybox wget crashes on IPv6 literals; nc takes them.)</summary>
    private static string Talk(string address) =>
        $"for i in $(seq 1 50); do out=$(printf 'GET /f HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {address} 8080 2>&1) && echo \"$out\" | grep ping6-ok && exit 0; sleep 0.2; done; echo \"failed: $out\"; exit 1";

    private static bool HostHasIpv6() =>
        File.Exists("/proc/sys/net/ipv6/conf/all/disable_ipv6") && File.ReadAllText("/proc/sys/net/ipv6/conf/all/disable_ipv6").Trim() == "0";

    [Fact]
    public async Task Ipv6Network_ContainersTalkOverIpv6_AddressesShownInInspect()
    {
        Assert.True(HostHasIpv6(), "this host has IPv6 disabled (net.ipv6.conf.all.disable_ipv6=1): the IPv6 network tests need it");
        string n = Unique("v6"), server = Unique("srv6"), client = Unique("cli6");
        try
        {
            await D.MustDockerAsync("network", "create", "--ipv6", "--subnet", "10.219.3.0/24", "--subnet", "fd00:bad:c0de:1::/64", n);
            var net = JsonDocument.Parse(await D.MustDockerAsync("network", "inspect", n)).RootElement[0];
            Assert.True(net.GetProperty("EnableIPv6").GetBoolean());
            var configs = net.GetProperty("IPAM").GetProperty("Config").EnumerateArray().ToList();
            Assert.Contains(configs, c => c.GetProperty("Subnet").GetString() == "fd00:bad:c0de:1::/64" && c.GetProperty("Gateway").GetString() == "fd00:bad:c0de:1::1");

            await D.MustDockerAsync("run", "-d", "--name", server, "--network", n, "--ip6", "fd00:bad:c0de:1::80", Image,
                "sh", "-c", "mkdir /w && echo ping6-ok > /w/f && exec httpd -f -p 8080 -h /w");
            var inspect = JsonDocument.Parse(await D.MustDockerAsync("inspect", server)).RootElement[0];
            var ep = inspect.GetProperty("NetworkSettings").GetProperty("Networks").GetProperty(n);
            Assert.Equal("fd00:bad:c0de:1::80", ep.GetProperty("GlobalIPv6Address").GetString());
            Assert.Equal(64, ep.GetProperty("GlobalIPv6PrefixLen").GetInt32());
            Assert.Equal("fd00:bad:c0de:1::1", ep.GetProperty("IPv6Gateway").GetString());
            Assert.Equal("fd00:bad:c0de:1::80", ep.GetProperty("IPAMConfig").GetProperty("IPv6Address").GetString());

            // A client on the network reaches the server over IPv6, by address and by name.
            var byAddress = await D.DockerAsync("run", "--rm", "--name", client, "--network", n, Image, "sh", "-c",
                "ip -6 -o addr show dev eth0 scope global; grep -w " + server + " /etc/hosts; " + Talk("fd00:bad:c0de:1::80"));
            Assert.True(byAddress.ExitCode == 0, byAddress.ToString());
            Assert.Contains("inet6 fd00:bad:c0de:1::", byAddress.Stdout, StringComparison.Ordinal);
            Assert.Contains("ping6-ok", byAddress.Stdout, StringComparison.Ordinal);
            Assert.Contains("fd00:bad:c0de:1::80\t" + server, byAddress.Stdout, StringComparison.Ordinal); // peers' IPv6 in /etc/hosts

            // A container connected while running gets its --ip6 at once.
            string late = Unique("late6");
            await D.MustDockerAsync("run", "-d", "--name", late, Image, "sleep", "300");
            try
            {
                await D.MustDockerAsync("network", "connect", "--ip6", "fd00:bad:c0de:1::99", n, late);
                var talk = await D.DockerAsync("exec", late, "sh", "-c", Talk("fd00:bad:c0de:1::80"));
                Assert.True(talk.ExitCode == 0, talk.ToString());
                Assert.Equal("fd00:bad:c0de:1::99",
                    (await D.MustDockerAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{n}\").GlobalIPv6Address}}}}", late)).Trim());
            }
            finally
            {
                await D.DockerAsync("rm", "-f", late);
            }

            // The host side: IPv6 on our bridge accepts no router advertisements from containers.
            string bridge = "bw-" + net.GetProperty("Id").GetString()![..12];
            Assert.Equal("0", File.ReadAllText($"/proc/sys/net/ipv6/conf/{bridge}/accept_ra").Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server, client);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task Ip6_OnANetworkWithoutIpv6_OrOutsideTheSubnet_IsAClearError()
    {
        string v4 = Unique("v4only"), v6 = Unique("v6b");
        try
        {
            await D.MustDockerAsync("network", "create", v4);
            var noV6 = await D.DockerAsync("run", "--rm", "--network", v4, "--ip6", "fd00::5", Image, "true");
            Assert.Equal(125, noV6.ExitCode);
            Assert.Contains("has no IPv6 subnet", noV6.Stderr, StringComparison.Ordinal);

            await D.MustDockerAsync("network", "create", "--ipv6", "--subnet", "fd00:bad:c0de:2::/64", v6);
            var outside = await D.DockerAsync("run", "--rm", "--network", v6, "--ip6", "fd00:1::5", Image, "true");
            Assert.Equal(125, outside.ExitCode);
            Assert.Contains("not a host address of network", outside.Stderr, StringComparison.Ordinal);

            // --ipv6 with only an IPv6 subnet: the network still gets an automatic IPv4 subnet, as dockerd does.
            var net = JsonDocument.Parse(await D.MustDockerAsync("network", "inspect", v6)).RootElement[0];
            Assert.Equal(2, net.GetProperty("IPAM").GetProperty("Config").GetArrayLength());
        }
        finally
        {
            await D.DockerAsync("network", "rm", v4, v6);
        }
    }
}
