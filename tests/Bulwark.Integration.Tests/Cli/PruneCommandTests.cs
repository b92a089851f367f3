using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Cli;

/// <summary>container/image/system prune with our CLI (volume and network prune are tested with their groups).</summary>
[Collection(DaemonCollection.Name)]
public sealed class PruneCommandTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task ContainerPrune_RemovesStoppedAndKeepsRunning()
    {
        var stopped = (await D.CliAsync("run", "--name", "day-prune-stopped", SharedDaemonFixture.Image, "true")).ExitCode;
        Assert.Equal(0, stopped);
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-prune-running", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            var id = (await D.CliAsync("inspect", "-f", "{{.Id}}", "day-prune-stopped")).Stdout.Trim();
            Assert.Equal(1, (await D.CliAsync("container", "prune")).ExitCode);
            var r = await D.CliAsync("container", "prune", "-f");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("Deleted Containers:\n", r.Stdout, StringComparison.Ordinal);
            Assert.Contains(id, r.Stdout, StringComparison.Ordinal);
            Assert.Contains("Total reclaimed space:", r.Stdout, StringComparison.Ordinal);
            Assert.NotEqual(0, (await D.CliAsync("inspect", "day-prune-stopped")).ExitCode);
            Assert.Equal("running\n", (await D.CliAsync("inspect", "-f", "{{.State.Status}}", "day-prune-running")).Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-prune-running", "day-prune-stopped");
        }
    }

    [Fact]
    public async Task ImagePrune_RemovesADanglingImageAndKeepsTagged()
    {
        var dir = Path.Combine(D.Root, "day-dangling");
        Directory.CreateDirectory(Path.Combine(dir, "rootfs"));
        File.WriteAllText(Path.Combine(dir, "rootfs", "marker"), Guid.NewGuid().ToString());
        var tar = Path.Combine(dir, "layer.tar");
        Assert.Equal(0, (await ProcessRunner.RunAsync("tar", ["-C", Path.Combine(dir, "rootfs"), "-cf", tar, "."])).ExitCode);
        var import = await D.CliAsync("import", tar);
        Assert.True(import.ExitCode == 0, import.ToString());
        var id = import.Stdout.Trim();
        try
        {
            var r = await D.CliAsync("image", "prune", "-f");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("deleted: " + id, r.Stdout, StringComparison.Ordinal);
            Assert.NotEqual(0, (await D.CliAsync("inspect", "--type", "image", id)).ExitCode);
            Assert.Equal(0, (await D.CliAsync("inspect", "--type", "image", SharedDaemonFixture.Image)).ExitCode);
        }
        finally
        {
            await D.CliAsync("rmi", "-f", id);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task SystemPrune_RemovesStoppedContainersAndUnusedNetworks()
    {
        Assert.Equal(0, (await D.CliAsync("create", "--name", "day-sysprune", SharedDaemonFixture.Image, "true")).ExitCode);
        Assert.Equal(0, (await D.CliAsync("network", "create", "day-sysprune-net")).ExitCode);
        var refused = await D.CliAsync("system", "prune");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr, StringComparison.Ordinal);
        var r = await D.CliAsync("system", "prune", "-f");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Deleted Containers:", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("day-sysprune-net", r.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, (await D.CliAsync("inspect", "day-sysprune")).ExitCode);
        Assert.Equal(0, (await D.CliAsync("inspect", "--type", "image", SharedDaemonFixture.Image)).ExitCode);
    }
}
