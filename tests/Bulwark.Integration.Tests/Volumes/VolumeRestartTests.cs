using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Volumes;

/// <summary>Volumes and the references containers hold on them survive a daemon restart (own daemon: it is restarted).</summary>
public sealed class VolumeRestartTests : IAsyncLifetime
{
    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync();
        await _d.ImportBusyboxAsync(SharedDaemonFixture.Image);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task AfterRestart_DataIsThere_InUseIsStillRefused_AndRmVStillRemovesTheAnonymousVolume()
    {
        await _d.OkAsync("run", "--name", "holder", "-v", "kept:/k", "-v", "/anon", SharedDaemonFixture.Image, "sh", "-c", "echo survived > /k/f");
        string anon = VolumeTestSupport.Inspect((await _d.OkAsync("inspect", "holder")).Stdout).GetProperty("Mounts").EnumerateArray()
            .Single(m => m.GetProperty("Destination").GetString() == "/anon").GetProperty("Name").GetString()!;

        await _d.RestartAsync();

        Assert.Equal(new[] { anon, "kept" }.Order(StringComparer.Ordinal), (await _d.VolumeNamesAsync()).Order(StringComparer.Ordinal));
        var rm = await _d.DockerAsync("volume", "rm", "kept");
        Assert.Equal(1, rm.ExitCode);
        Assert.Contains("volume is in use", rm.Stderr, StringComparison.Ordinal);
        Assert.Equal("survived\n", (await _d.OkAsync("run", "--rm", "-v", "kept:/k", SharedDaemonFixture.Image, "cat", "/k/f")).Stdout);

        await _d.OkAsync("rm", "-v", "holder");
        Assert.Equal(["kept"], await _d.VolumeNamesAsync());
        await _d.OkAsync("volume", "rm", "kept");
    }
}
