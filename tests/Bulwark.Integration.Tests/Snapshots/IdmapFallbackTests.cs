using Bulwark.Integration.Tests.Fixtures;

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
}
