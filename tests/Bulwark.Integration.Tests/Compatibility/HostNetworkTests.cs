using Bulwark.Integration.Tests.Security;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>`docker run --network host` on a daemon whose policy allows host namespaces (refused by default).</summary>
public sealed class HostNetworkTests(PermissiveProbeDaemonFixture fx) : IClassFixture<PermissiveProbeDaemonFixture>
{
    private static List<string> Interfaces(string procNetDev) =>
        [.. procNetDev.Split('\n').Skip(2).Where(l => l.Contains(':', StringComparison.Ordinal)).Select(l => l.Split(':')[0].Trim()).Order()];

    [Fact]
    public async Task DockerRunNetworkHost_WhenPolicyAllowsIt_SeesTheHostInterfaces()
    {
        var before = Interfaces(await File.ReadAllTextAsync("/proc/net/dev"));
        var r = await fx.Daemon.DockerAsync("run", "--rm", "--network", "host", ProbeImage.Name, "sh", "-c",
            "cat /proc/net/dev; touch /sys/kernel/bulwark-probe 2>/dev/null && echo sys-writable || echo sys-ro");
        var after = Interfaces(await File.ReadAllTextAsync("/proc/net/dev"));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("sys-ro", r.Stdout, StringComparison.Ordinal);
        // Other tests add and remove veths meanwhile: every interface the host had throughout is seen, and nothing else.
        var seen = Interfaces(r.Stdout);
        Assert.Empty(before.Intersect(after).Except(seen));
        Assert.Empty(seen.Except(before.Union(after)));
        Assert.Contains("lo", seen);
        var inspectNone = await fx.Daemon.DockerAsync("run", "--rm", ProbeImage.Name, "cat", "/proc/net/dev");
        Assert.Equal(["lo"], Interfaces(inspectNone.Stdout));
    }

    [Fact]
    public async Task NetworkConnect_OfAHostNetworkContainer_IsRefusedInDockersWords()
    {
        string n = "hn-" + Guid.NewGuid().ToString("N")[..6], c = "hc-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            Assert.Equal(0, (await fx.Daemon.DockerAsync("network", "create", n)).ExitCode);
            var create = await fx.Daemon.DockerAsync("create", "--name", c, "--network", "host", ProbeImage.Name, "true");
            Assert.True(create.ExitCode == 0, create.ToString());
            var connect = await fx.Daemon.DockerAsync("network", "connect", n, c);
            Assert.Equal(1, connect.ExitCode);
            Assert.Contains("container cannot be disconnected from host network or connected to host network", connect.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await fx.Daemon.DockerAsync("rm", "-f", c);
            await fx.Daemon.DockerAsync("network", "rm", n);
        }
    }
}
