using Bulwark.Integration.Tests.Fixtures;
using Bulwark.Integration.Tests.Volumes;

namespace Bulwark.Integration.Tests.Snapshots;

/// <summary>With daemon.json "idmapped-mounts": false (what an old kernel gets), layers are shifted copies, as before, and it is logged.</summary>
public sealed class IdmapFallbackTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync("""{ "idmapped-mounts": false }""");
        await _d.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task WithIdmappedMountsOff_ContainersRunOnShiftedCopies_AndTheDaemonSaysSo()
    {
        var r = await _d.CliAsync("run", "--rm", Image, "sh", "-c", "stat -c 'owner=%u:%g' /bin/busybox; echo x > /etc/written && echo wrote");

        Assert.True(r.ExitCode == 0, r + "\n" + _d.DaemonLog);
        Assert.Contains("owner=0:0", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("wrote", r.Stdout, StringComparison.Ordinal);
        string snapshots = Path.Combine(_d.DataRoot, "snapshots");
        Assert.Contains(Directory.EnumerateDirectories(snapshots), d => Path.GetFileName(d).Contains("-uid", StringComparison.Ordinal));
        Assert.Contains("idmapped-mounts", _d.DaemonLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithIdmappedMountsOff_RmiRemovesTheShiftedCopiesNoContainerUses_AndKeepsTheOnesInUse()
    {
        string tar = BusyboxImage.BuildRootfsTar(Path.Combine(_d.Root, "image-more"));
        await _d.OkAsync("import", "-c", "CMD [\"sh\"]", tar, "test/other:1"); // other, third and fourth: one layer, three image ids
        await _d.OkAsync("run", "--name", "keep", "test/other:1", "true");
        string snapshots = Path.Combine(_d.DataRoot, "snapshots");
        string copy = Assert.Single(Directory.EnumerateDirectories(snapshots), d => Path.GetFileName(d).Contains("-uid", StringComparison.Ordinal));

        await _d.OkAsync("import", "-c", "CMD [\"true\"]", tar, "test/third:1");
        await _d.OkAsync("rmi", "test/third:1");
        Assert.True(Directory.Exists(copy), "the copy container keep runs on was removed");

        await _d.OkAsync("rm", "keep");
        await _d.OkAsync("import", "-c", "CMD [\"id\"]", tar, "test/fourth:1");
        await _d.OkAsync("rmi", "test/fourth:1");
        Assert.False(Directory.Exists(copy), "the copy no container uses is still there after rmi\n" + _d.DaemonLog);
        Assert.Contains("removed the user-namespace shifted layer copy", _d.DaemonLog, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.EnumerateDirectories(snapshots), d => Path.GetFileName(d).StartsWith("tmp-", StringComparison.Ordinal));

        // The image still works: its next container makes the copy again.
        var again = await _d.CliAsync("run", "--rm", "test/other:1", "stat", "-c", "owner=%u:%g", "/bin/busybox");
        Assert.Equal("owner=0:0", again.Stdout.Trim());
        Assert.True(Directory.Exists(copy));
    }
}
