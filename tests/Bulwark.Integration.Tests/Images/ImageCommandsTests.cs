using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Images;

[Collection(DaemonCollection.Name)]
public sealed class ImageCommandsTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task SaveThenLoad_RoundTripsUnderANewTag()
    {
        string archive = Path.Combine(D.Root, "saved-" + Guid.NewGuid().ToString("N")[..6] + ".tar");
        Assert.Equal(0, (await D.CliAsync("tag", SharedDaemonFixture.Image, "roundtrip/busybox:rt")).ExitCode);
        var save = await D.CliAsync("save", "-o", archive, "roundtrip/busybox:rt");
        Assert.True(save.ExitCode == 0, save.ToString());
        Assert.True(new FileInfo(archive).Length > 100_000);
        var rmi = await D.CliAsync("rmi", "roundtrip/busybox:rt");
        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.Contains("Untagged: roundtrip/busybox:rt", rmi.Stdout, StringComparison.Ordinal);
        var load = await D.CliAsync("load", "-i", archive);
        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.Contains("Loaded image: roundtrip/busybox:rt", load.Stdout, StringComparison.Ordinal);
        var run = await D.CliAsync("run", "--rm", "roundtrip/busybox:rt", "echo", "loaded");
        Assert.Equal("loaded\n", run.Stdout);
        await D.CliAsync("rmi", "roundtrip/busybox:rt");
    }

    [Fact]
    public async Task Images_ListsTheImportedImage()
    {
        var r = await D.CliAsync("images");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("test/busybox", r.Stdout, StringComparison.Ordinal);
        var q = await D.CliAsync("images", "-q");
        Assert.All(q.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), id => Assert.Equal(12, id.Trim().Length));
    }

    [Fact]
    public async Task Load_CorruptArchive_FailsClearlyAndLeavesTheStoreUnchanged()
    {
        var before = await D.CliAsync("images", "-q", "--no-trunc");
        string bad = Path.Combine(D.Root, "corrupt.tar");
        await File.WriteAllBytesAsync(bad, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);
        var load = await D.CliAsync("load", "-i", bad);
        Assert.NotEqual(0, load.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(load.Stderr));
        var import = await D.CliAsync("import", bad, "corrupt/image:1");
        Assert.NotEqual(0, import.ExitCode);
        var after = await D.CliAsync("images", "-q", "--no-trunc");
        Assert.Equal(before.Stdout, after.Stdout);
        Assert.Equal(0, (await D.CliAsync("version")).ExitCode);
    }

    [Fact]
    public async Task Rmi_ImageUsedByAContainer_IsAConflictUnlessForced()
    {
        Assert.Equal(0, (await D.CliAsync("tag", SharedDaemonFixture.Image, "inuse/busybox:1")).ExitCode);
        var create = await D.CliAsync("create", "--name", "userofimage", "inuse/busybox:1", "true");
        Assert.True(create.ExitCode == 0, create.ToString());
        var byId = await D.CliAsync("inspect", "--format", "{{.Image}}", "userofimage");
        var rmi = await D.CliAsync("rmi", byId.Stdout.Trim());
        Assert.NotEqual(0, rmi.ExitCode);
        Assert.Contains("conflict", rmi.Stderr, StringComparison.Ordinal);
        await D.CliAsync("rm", "userofimage");
        Assert.Equal(0, (await D.CliAsync("rmi", "inuse/busybox:1")).ExitCode);
    }
}
