using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Snapshots;

/// <summary>
/// Remapped containers see their image's owners through idmapped lower layers: the stored layers are never copied,
/// chowned or touched, and the layer mounts are gone after stop, remove, and a crash followed by a restart.
/// </summary>
public sealed class IdmappedLayerTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private DaemonInstance _d = null!;

    private string Snapshots => Path.Combine(_d.DataRoot, "snapshots");

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync();
        await _d.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task RemappedRootSeesImageOwners_WhileLayerInodesKeepOwnerAndCtime()
    {
        var before = LayerInodes.Snapshot(Snapshots);
        Assert.NotEmpty(before);

        var r = await _d.CliAsync("run", "--rm", Image, "sh", "-c",
            "cat /proc/self/uid_map; stat -c 'owner=%u:%g' /bin/busybox /etc/passwd; echo x > /etc/written && echo wrote");

        Assert.True(r.ExitCode == 0, r + "\n" + _d.DaemonLog);
        var uidMap = r.Stdout.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", uidMap[0]);
        Assert.NotEqual("0", uidMap[1]); // remapped: container root is not host root
        Assert.Equal(2, r.Stdout.Split('\n').Count(l => l == "owner=0:0"));
        Assert.Contains("wrote", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateDirectories(Snapshots), d => Path.GetFileName(d).Contains("-uid", StringComparison.Ordinal));
        Assert.Equal(before, LayerInodes.Snapshot(Snapshots));
        Assert.DoesNotContain(LayerInodes.Snapshot(Snapshots).Keys, k => k.EndsWith("/etc/written", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LayerMounts_AreGoneAfterStopAndRemove()
    {
        var run = await _d.CliAsync("run", "-d", Image, "sleep", "1000");
        Assert.True(run.ExitCode == 0, run + "\n" + _d.DaemonLog);
        string id = run.Stdout.Trim();
        string dir = Path.Combine(_d.DataRoot, "containers", id);
        // The overlay holds private clones of its idmapped layers: only the rootfs stays in the mount table.
        Assert.Contains(Path.Combine(dir, "rootfs"), MountsUnder(dir));
        Assert.DoesNotContain(MountsUnder(dir), m => m.Contains("/idmap/", StringComparison.Ordinal));
        Assert.Contains(Path.Combine(dir, "idmap", "l0"), File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);

        var stop = await _d.CliAsync("stop", "-t", "0", id);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Empty(MountsUnder(dir));

        var rm = await _d.CliAsync("rm", id);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task LayerMounts_OfAContainerThatExitedWhileTheDaemonWasDead_AreGoneAfterRestart()
    {
        var run = await _d.CliAsync("run", "-d", Image, "sleep", "1000");
        Assert.True(run.ExitCode == 0, run + "\n" + _d.DaemonLog);
        string id = run.Stdout.Trim();
        string dir = Path.Combine(_d.DataRoot, "containers", id);
        var pid = await _d.CliAsync("inspect", "-f", "{{.State.Pid}}", id);
        Assert.True(pid.ExitCode == 0, pid.ToString());

        await _d.KillProcessAsync();
        var kill = await ProcessRunner.RunAsync("kill", ["-KILL", pid.Stdout.Trim()]);
        Assert.True(kill.ExitCode == 0, kill.ToString());
        await _d.StartProcessAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (MountsUnder(dir).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Empty(MountsUnder(dir));
        var rm = await _d.CliAsync("rm", "-f", id);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.False(Directory.Exists(dir));
    }

    internal static List<string> MountsUnder(string dir) =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(dir + "/", StringComparison.Ordinal))
            .ToList();
}

/// <summary>Owner, group, mode and ctime of every entry of the stored layers (shifted copies excluded), by path.</summary>
internal static class LayerInodes
{
    public static SortedDictionary<string, string> Snapshot(string snapshotsRoot)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in Directory.EnumerateDirectories(snapshotsRoot).Where(d => !Path.GetFileName(d).Contains('-', StringComparison.Ordinal)))
        {
            var stat = ProcessRunner.RunAsync("find", [layer, "-printf", "%p %U:%G %m %C@\\n"]).GetAwaiter().GetResult();
            foreach (var line in stat.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                result[line[..space]] = line[(space + 1)..];
            }
        }

        return result;
    }

}
