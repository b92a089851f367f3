using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Snapshots;

/// <summary>
/// Host binds and volumes are mounted idmapped into the container's range: container root acts as the bind's host root
/// (still nosuid, nodev), and volumes are stored with the container's own ids.
/// </summary>
public sealed class IdmappedBindTests : IAsyncLifetime
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
    public async Task RootOwned0700HostDir_IsWritableByContainerRoot_AndItsFilesAreRootOwnedOnTheHost()
    {
        var dir = Directory.CreateTempSubdirectory("bwt-bind-");
        try
        {
            File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var r = await _d.CliAsync("run", "--rm", "-v", dir.FullName + ":/data", Image, "sh", "-c",
                "echo hi > /data/f && stat -c 'owner=%u:%g' /data/f && grep ' /data ' /proc/self/mountinfo");

            Assert.True(r.ExitCode == 0, r + "\n" + _d.DaemonLog);
            Assert.Contains("owner=0:0", r.Stdout, StringComparison.Ordinal);
            string mountLine = r.Stdout.Split('\n').Single(l => l.Contains(" /data ", StringComparison.Ordinal));
            Assert.Contains("nosuid", mountLine, StringComparison.Ordinal);
            Assert.Contains("nodev", mountLine, StringComparison.Ordinal);
            var host = await ProcessRunner.RunAsync("stat", ["-c", "%u:%g", Path.Combine(dir.FullName, "f")]);
            Assert.Equal("0:0", host.Stdout.Trim());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SetuidFileWrittenThroughABind_IsNotSetuidEffectiveInAnotherContainer()
    {
        var dir = Directory.CreateTempSubdirectory("bwt-suid-");
        try
        {
            // 0755: the second container runs as uid 1000, which must reach the file.
            File.SetUnixFileMode(dir.FullName, (UnixFileMode)0x1ED);
            var plant = await _d.CliAsync("run", "--rm", "-v", dir.FullName + ":/data", Image, "sh", "-c",
                "cp /bin/busybox /data/cat && chmod 4755 /data/cat && stat -c '%a %u' /data/cat");
            Assert.True(plant.ExitCode == 0, plant + "\n" + _d.DaemonLog);
            Assert.Equal("4755 0", plant.Stdout.Trim());

            var use = await _d.CliAsync("run", "--rm", "--user", "1000", "-v", dir.FullName + ":/data", Image, "sh", "-c",
                "grep ' /data ' /proc/self/mountinfo; /data/cat /proc/self/status | grep '^Uid:'");

            Assert.True(use.ExitCode == 0, use + "\n" + _d.DaemonLog);
            string mountLine = use.Stdout.Split('\n').Single(l => l.Contains(" /data ", StringComparison.Ordinal));
            Assert.Contains("nosuid", mountLine, StringComparison.Ordinal);
            string uidLine = use.Stdout.Split('\n').Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            Assert.Equal(["1000", "1000", "1000", "1000"], uidLine.Split('\t', ' ').Skip(1).Where(x => x.Length > 0));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task VolumeFile_ReadsAsItsOwnerInAnotherContainer_AndIsStoredWithContainerIds()
    {
        var write = await _d.CliAsync("run", "--rm", "-v", "idmapvol:/v", Image, "sh", "-c", "echo x > /v/f && chown 1234:2345 /v/f");
        Assert.True(write.ExitCode == 0, write + "\n" + _d.DaemonLog);

        var read = await _d.CliAsync("run", "--rm", "-v", "idmapvol:/v", Image, "stat", "-c", "owner=%u:%g", "/v/f");

        Assert.True(read.ExitCode == 0, read + "\n" + _d.DaemonLog);
        Assert.Equal("owner=1234:2345", read.Stdout.Trim());
        var host = await ProcessRunner.RunAsync("stat", ["-c", "%u:%g", Path.Combine(_d.DataRoot, "volumes", "idmapvol", "_data", "f")]);
        Assert.Equal("1234:2345", host.Stdout.Trim());
        await _d.CliAsync("volume", "rm", "idmapvol");
    }

    [Fact]
    public async Task ImageContentCopiedIntoANewVolume_KeepsTheImageOwnersInsideAndOnDisk()
    {
        var r = await _d.CliAsync("run", "--rm", "-v", "idmapetc:/etc", Image, "sh", "-c", "stat -c 'owner=%u:%g' /etc/passwd && echo x >> /etc/passwd");

        Assert.True(r.ExitCode == 0, r + "\n" + _d.DaemonLog);
        Assert.Equal("owner=0:0", r.Stdout.Trim());
        var host = await ProcessRunner.RunAsync("stat", ["-c", "%u:%g", Path.Combine(_d.DataRoot, "volumes", "idmapetc", "_data", "passwd")]);
        Assert.Equal("0:0", host.Stdout.Trim());
        await _d.CliAsync("volume", "rm", "idmapetc");
    }
}
