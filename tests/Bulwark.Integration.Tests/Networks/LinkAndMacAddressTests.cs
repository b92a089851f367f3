using static Bulwark.Integration.Tests.Networks.NetworkProbe;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Networks;

/// <summary>
/// --link NAME:ALIAS on user networks (an alias only the linking container resolves) and --mac-address, through the
/// docker CLI and our CLI, proven from inside busybox containers.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class LinkAndMacAddressTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task Link_AliasResolvesForTheLinkingContainerOnly_AndInspectShowsIt()
    {
        string n = Unique("lk"), server = Unique("srv"), linker = Unique("lnk");
        try
        {
            await D.MustDockerAsync("network", "create", n);
            await D.MustDockerAsync("run", "-d", "--name", server, "--network", n, Image, "sh", "-c", Server(server));
            var linked = await D.DockerAsync("run", "--name", linker, "--network", n, "--link", server + ":db", Image, "sh", "-c", Fetch("db"));
            Assert.True(linked.ExitCode == 0, linked.ToString());
            Assert.Contains("hello-from-" + server, linked.Stdout, StringComparison.Ordinal);
            Assert.Equal($"[\"{server}:db\"]", (await D.MustDockerAsync("inspect", "--format", "{{json .HostConfig.Links}}", linker)).Trim());
            Assert.Equal($"[\"{server}:db\"]",
                (await D.MustDockerAsync("inspect", "--format", $"{{{{json (index .NetworkSettings.Networks \"{n}\").Links}}}}", linker)).Trim());

            // A peer on the same network without the link: the alias does not resolve.
            var other = await D.DockerAsync("run", "--rm", "--network", n, Image, "sh", "-c", "grep -w db /etc/hosts; ping -c 1 -W 1 db 2>&1; true");
            Assert.Contains("bad address", other.Stdout, StringComparison.Ordinal);

            // Our CLI sends --link the same way.
            var cli = await D.CliAsync("run", "--rm", "--network", n, "--link", server + ":cache", Image, "sh", "-c", Fetch("cache"));
            Assert.True(cli.ExitCode == 0, cli.ToString());
            Assert.Contains("hello-from-" + server, cli.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server, linker);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task Link_ToAMissingContainerOrWithoutAUserNetwork_IsAClearError()
    {
        string n = Unique("lm");
        try
        {
            await D.MustDockerAsync("network", "create", n);
            var missing = await D.DockerAsync("run", "--rm", "--network", n, "--link", "nosuch-container:db", Image, "true");
            Assert.Equal(125, missing.ExitCode);
            Assert.Contains("could not get container for nosuch-container", missing.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Unable to find image", missing.Stderr, StringComparison.Ordinal);

            var noNetwork = await D.DockerAsync("run", "--rm", "--link", "x:db", Image, "true");
            Assert.Equal(125, noNetwork.ExitCode);
            Assert.Contains("--link needs a user network", noNetwork.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task MacAddress_IsTheInterfaceAddressInside_ShownInInspect_MulticastRefused()
    {
        string n = Unique("mac"), c = Unique("m");
        try
        {
            await D.MustDockerAsync("network", "create", n);
            var run = await D.DockerAsync("run", "--name", c, "--network", n, "--mac-address", "92:D0:C6:0A:29:33", Image, "cat", "/sys/class/net/eth0/address");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("92:d0:c6:0a:29:33", run.Stdout.Trim());
            Assert.Equal("92:d0:c6:0a:29:33",
                (await D.MustDockerAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{n}\").MacAddress}}}}", c)).Trim());

            var cli = await D.CliAsync("run", "--rm", "--network", n, "--mac-address", "02:11:22:33:44:55", Image, "cat", "/sys/class/net/eth0/address");
            Assert.True(cli.ExitCode == 0, cli.ToString());
            Assert.Equal("02:11:22:33:44:55", cli.Stdout.Trim());

            var multicast = await D.DockerAsync("run", "--rm", "--network", n, "--mac-address", "01:00:5e:00:00:01", Image, "true");
            Assert.Equal(125, multicast.ExitCode);
            Assert.Contains("needs a unicast address", multicast.Stderr, StringComparison.Ordinal);

            var none = await D.DockerAsync("run", "--rm", "--mac-address", "92:d0:c6:0a:29:34", Image, "true");
            Assert.Equal(125, none.ExitCode);
            Assert.Contains("conflicting options: mac-address and the network mode", none.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", c);
            await D.DockerAsync("network", "rm", n);
        }
    }
}
