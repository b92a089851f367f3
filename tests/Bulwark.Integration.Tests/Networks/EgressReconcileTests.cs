using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Networks;

/// <summary>
/// After kill -9 of bulwarkd and a restart, an egress network's nftables rules are rebuilt once (not duplicated),
/// rules of a network whose bridge is gone (a daemon killed mid-removal) are removed, and the running container still
/// gets out through its allowlist. Network removal then leaves nothing of it in table inet bulwark.
/// </summary>
public sealed class EgressReconcileTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync();
        await _d.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task KillAndRestart_RebuildsEgressRulesOnce_RemovesOrphanedOnes_AndRemovalLeavesNone()
    {
        await using var outside = await OutsideNamespace.CreateAsync();
        string n = "egr-" + Guid.NewGuid().ToString("N")[..6], c = "egc-" + Guid.NewGuid().ToString("N")[..6];
        // A network of no daemon on this host (no bridge bw-<suffix>): what a daemon killed mid-removal leaves.
        string orphan = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        try
        {
            await MustAsync("network", "create", "-o", "com.bulwark.network.egress=true",
                "-o", $"com.bulwark.network.egress.allow={outside.Server}:8080", n);
            string id12 = (await MustAsync("network", "inspect", "--format", "{{.Id}}", n)).Trim()[..12];
            await MustAsync("run", "-d", "--name", c, "--network", n, Image, "sleep", "600");

            await _d.KillProcessAsync();
            var inject = await ProcessRunner.RunAsync("nft", ["-f", "-"], stdin:
                $"add table inet bulwark\nadd counter inet bulwark dropped_{orphan}\n" +
                $"add chain inet bulwark fwd_{orphan} {{ type filter hook forward priority filter; policy accept; }}\n" +
                $"add rule inet bulwark fwd_{orphan} iifname \"bw-{orphan}\" counter name \"dropped_{orphan}\" drop\n");
            Assert.True(inject.ExitCode == 0, inject.ToString());
            await _d.StartProcessAsync();

            string table = await NftTableAsync();
            Assert.DoesNotContain(orphan, table, StringComparison.Ordinal);
            Assert.Equal(1, CountOf(table, $"chain fwd_{id12} "));
            Assert.Equal(1, CountOf(table, $"counter name \"allowed_{id12}\""));
            var r = await _d.DockerAsync("exec", c, "sh", "-c", OutsideNamespace.Get(outside.Server, 8080));
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("outside-8080", r.Stdout, StringComparison.Ordinal);

            await MustAsync("rm", "-f", c);
            await MustAsync("network", "rm", n);
            Assert.DoesNotContain(id12, await NftTableAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await _d.DockerAsync("rm", "-f", c);
            await _d.DockerAsync("network", "rm", n);
            Cleanup.RemoveEgressRules(orphan);
        }
    }

    private static async Task<string> NftTableAsync() =>
        (await ProcessRunner.RunAsync("nft", ["list", "table", "inet", "bulwark"])).Stdout;

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private async Task<string> MustAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}");
        return r.Stdout;
    }
}
