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
        var r = await fx.Daemon.DockerAsync("run", "--rm", "--network", "host", ProbeImage.Name, "sh", "-c",
            "cat /proc/net/dev; touch /sys/kernel/bulwark-probe 2>/dev/null && echo sys-writable || echo sys-ro");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("sys-ro", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(Interfaces(await File.ReadAllTextAsync("/proc/net/dev")), Interfaces(r.Stdout));
        var inspectNone = await fx.Daemon.DockerAsync("run", "--rm", ProbeImage.Name, "cat", "/proc/net/dev");
        Assert.Equal(["lo"], Interfaces(inspectNone.Stdout));
    }
}
