using Bulwark.Engine.Images.Layers;
using Bulwark.Engine.Snapshots;
using Bulwark.Engine.Tests.Images;
using Bulwark.Engine.Tests.Images.Layers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Snapshots;

public sealed class SnapshotServiceTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();
    private readonly List<string> layers = [];

    public SnapshotServiceTests()
    {
        var lower = new LayerTarBuilder().Dir("etc").File("etc/keep", "k").File("etc/hidden", "h")
            .Dir("cache").File("cache/old", "o").Symlink("escape", "/").Build();
        var upper = new LayerTarBuilder().File("etc/.wh.hidden", string.Empty).File("cache/.wh..wh..opq", string.Empty)
            .File("cache/new", "n").File("escape/etc/through-link", "t").Build();
        foreach (var (tar, i) in new[] { lower, upper }.Select((t, i) => (t, i)))
        {
            string dir = scratch.Sub("layer" + i);
            LayerApplier.Apply(new MemoryStream(tar), dir, "l" + i, CancellationToken.None);
            layers.Add(dir);
        }
    }

    public void Dispose() => scratch.Dispose();

    [Fact]
    public void Driver_Probe_PicksADriverAndLeavesNothingBehind()
    {
        string data = scratch.Sub("data");
        var svc = new SnapshotService(data, NullLogger<SnapshotService>.Instance);
        Assert.Contains(svc.Driver, new[] { "overlay", "copy" });
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(data, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PrepareAsync_CopyDriverXattrWhiteout_HidesLowerFile()
    {
        string marked = scratch.Sub("xattr-layer");
        File.WriteAllText(Path.Combine(marked, "keep"), string.Empty);
        File.WriteAllText(Path.Combine(marked, "hidden-by-xattr"), string.Empty);
        using (var f = new FileStream(Path.Combine(marked, "hidden-by-xattr"), FileMode.Open))
        {
            Assert.Equal(0, Bulwark.Native.Interop.Fsetxattr(f.SafeFileHandle.DangerousGetHandle().ToInt32(), Whiteouts.WhiteoutXattr, "y"u8));
        }

        string lower = scratch.Sub("xattr-lower");
        File.WriteAllText(Path.Combine(lower, "hidden-by-xattr"), "lower");
        var svc = new SnapshotService(scratch.Sub("data"), NullLogger<SnapshotService>.Instance, "copy");
        string container = Path.Combine(scratch.Path, "containers", "x");
        await svc.PrepareAsync(container, [lower, marked], CancellationToken.None);
        string rootfs = svc.Mount(container, [lower, marked]);
        Assert.False(File.Exists(Path.Combine(rootfs, "hidden-by-xattr")));
        Assert.True(File.Exists(Path.Combine(rootfs, "keep")));
        svc.Remove(container);
    }

    [Theory]
    [InlineData("overlay")]
    [InlineData("copy")]
    public async Task PrepareMountUnmountRemove_WhiteoutHidesLowerFile(string driver)
    {
        var svc = new SnapshotService(scratch.Sub("data"), NullLogger<SnapshotService>.Instance, driver);
        string container = Path.Combine(scratch.Path, "containers", "c1");
        await svc.PrepareAsync(container, layers, CancellationToken.None);
        string rootfs = svc.Mount(container, layers);
        Assert.Equal(rootfs, svc.Mount(container, layers));
        Assert.Equal(driver == "overlay", SnapshotService.IsMounted(rootfs));

        Assert.Equal("k", File.ReadAllText(Path.Combine(rootfs, "etc/keep")));
        Assert.False(File.Exists(Path.Combine(rootfs, "etc/hidden")));
        Assert.False(File.Exists(Path.Combine(rootfs, "cache/old")));
        Assert.Equal("n", File.ReadAllText(Path.Combine(rootfs, "cache/new")));
        // the upper layer's directory "escape" replaces the lower symlink "escape -> /" (never followed)
        Assert.Equal("t", File.ReadAllText(Path.Combine(rootfs, "escape/etc/through-link")));
        Assert.False(File.Exists("/etc/through-link"));

        File.WriteAllText(Path.Combine(rootfs, "written"), "12345");
        if (driver == "overlay")
        {
            Assert.True(File.Exists(Path.Combine(container, "upper/written")));
            Assert.False(File.Exists(Path.Combine(layers[1], "written")));
            Assert.Equal(5, svc.DiffSize(container));
        }

        svc.Unmount(container);
        svc.Unmount(container);
        Assert.False(SnapshotService.IsMounted(rootfs));
        svc.Remove(container);
        Assert.False(Directory.Exists(rootfs));
        Assert.False(Directory.Exists(Path.Combine(container, "upper")));
        Assert.Equal("h", File.ReadAllText(Path.Combine(layers[0], "etc/hidden")));
        svc.Remove(container);
    }

    [Fact]
    public async Task Mount_ManyLongLayerPaths_UsesShortLinks()
    {
        var svc = new SnapshotService(scratch.Sub("data"), NullLogger<SnapshotService>.Instance, "overlay");
        var many = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            string dir = scratch.Sub(Path.Combine("long-" + new string('x', 100), "layer-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            File.WriteAllText(Path.Combine(dir, "f" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "v");
            many.Add(dir);
        }

        string container = Path.Combine(scratch.Path, "containers", "many");
        await svc.PrepareAsync(container, many, CancellationToken.None);
        string rootfs = svc.Mount(container, many);
        Assert.True(File.Exists(Path.Combine(rootfs, "f0")));
        Assert.True(File.Exists(Path.Combine(rootfs, "f39")));
        svc.Remove(container);
    }

    [Fact]
    public async Task Remove_IdmappedRootfsWithABindSourceAndAStackedMount_DetachesEverythingAndLeavesNothing()
    {
        var map = new Bulwark.Engine.Security.UserNamespaces.IdMapping("t", 340000, 340000, 65536);
        var svc = new SnapshotService(scratch.Sub("data"), NullLogger<SnapshotService>.Instance, "overlay");
        string container = Path.Combine(scratch.Path, "containers", "mapped");
        await svc.PrepareAsync(container, layers, CancellationToken.None);
        string rootfs = svc.Mount(container, layers, map);
        Assert.Equal(0, Bulwark.Native.Interop.Fstatat(Bulwark.Native.Interop.AtFdCwd, Path.Combine(rootfs, "etc/keep"), out var st, 0));
        Assert.Equal(340000u, st.Uid); // the layer's root-owned file, seen through the range

        string bindFile = Path.Combine(scratch.Sub("host"), "file");
        File.WriteAllText(bindFile, "b");
        File.WriteAllBytes(Path.Combine(container, "idmap", "b0"), []); // the mount point create makes for a bound file
        Bulwark.Engine.Snapshots.Idmapped.IdmappedBindSources.Mount(container, [bindFile], map);
        Assert.True(SnapshotService.IsMounted(Path.Combine(container, "idmap", "b0")));
        Assert.Equal(0, Bulwark.Native.Interop.Mount("tmpfs", rootfs, "tmpfs", 0, "size=1m")); // stacked on the overlay

        svc.Remove(container);

        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains(container, StringComparison.Ordinal));
        Assert.False(Directory.Exists(rootfs));
        Assert.False(Directory.Exists(Path.Combine(container, "idmap")));
        Assert.Equal("b", File.ReadAllText(bindFile)); // the bound host file itself is untouched
        svc.Remove(container); // idempotent
    }
}
