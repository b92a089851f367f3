using Bulwark.Engine.Tests.Images;
using Bulwark.Engine.Volumes;
using Bulwark.Native;

namespace Bulwark.Engine.Tests.Volumes;

public sealed class VolumeCopyUpTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();
    private readonly string rootfs;
    private readonly string data;
    private readonly string outside;

    public VolumeCopyUpTests()
    {
        rootfs = scratch.Sub("rootfs");
        data = scratch.Sub("data");
        outside = scratch.Sub("outside");
        File.WriteAllText(Path.Combine(outside, "secret"), "host");
    }

    public void Dispose() => scratch.Dispose();

    private bool Copy(string containerPath)
    {
        using var fs = new RootedFileSystem(rootfs);
        return VolumeCopyUp.CopyIfEmpty(fs, containerPath, data, CancellationToken.None);
    }

    [Fact]
    public void CopiesContent_ModesOwnersTimesSymlinksAndHardlinks()
    {
        string src = Path.Combine(rootfs, "srv", "app");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "sub", "f"), "content");
        File.SetUnixFileMode(Path.Combine(src, "sub", "f"), UnixFileMode.UserRead | UnixFileMode.GroupRead);
        Assert.Equal(0, Interop.Fchownat(Interop.AtFdCwd, Path.Combine(src, "sub", "f"), 101000, 101001, Interop.AtSymlinkNoFollow));
        File.SetLastWriteTimeUtc(Path.Combine(src, "sub", "f"), new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Assert.Equal(0, Interop.Linkat(Interop.AtFdCwd, Path.Combine(src, "sub", "f"), Interop.AtFdCwd, Path.Combine(src, "hard"), 0));
        File.CreateSymbolicLink(Path.Combine(src, "abs"), "/etc/shadow");
        File.SetUnixFileMode(src, (UnixFileMode)Convert.ToInt32("750", 8));

        Assert.True(Copy("/srv/app"));
        Assert.Equal("content", File.ReadAllText(Path.Combine(data, "sub", "f")));
        var st = Lstat(Path.Combine(data, "sub", "f"));
        Assert.Equal((101000u, 101001u, 0x120u), (st.Uid, st.Gid, st.Mode & 0xFFF));
        Assert.Equal(new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc), File.GetLastWriteTimeUtc(Path.Combine(data, "sub", "f")));
        Assert.Equal(Lstat(Path.Combine(data, "sub", "f")).Ino, Lstat(Path.Combine(data, "hard")).Ino);
        Assert.Equal("/etc/shadow", new FileInfo(Path.Combine(data, "abs")).LinkTarget);
        Assert.Equal(0x1E8u, Lstat(data).Mode & 0xFFF); // the volume root takes the image directory's mode (0750)
    }

    [Fact]
    public void NonEmptyVolume_MissingPath_OrAFile_CopyNothing()
    {
        Directory.CreateDirectory(Path.Combine(rootfs, "d"));
        File.WriteAllText(Path.Combine(rootfs, "d", "x"), "x");
        File.WriteAllText(Path.Combine(rootfs, "file"), "f");
        Assert.False(Copy("/missing"));
        Assert.False(Copy("/file"));
        File.WriteAllText(Path.Combine(data, "already"), "a");
        Assert.False(Copy("/d"));
        Assert.Equal(["already"], Directory.EnumerateFileSystemEntries(data).Select(Path.GetFileName));
    }

    [Fact]
    public void AbsoluteSymlinkAtTheMountPath_ResolvesInsideTheRootfs_NeverOnTheHost()
    {
        // The image's /data points at a host directory by its absolute path: inside the rootfs that path does not exist.
        File.CreateSymbolicLink(Path.Combine(rootfs, "data"), outside);
        Assert.False(Copy("/data"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));

        // And "../../.." climbs stop at the rootfs: /data2 -> ../../../../<outside> is the rootfs's own <outside>.
        File.CreateSymbolicLink(Path.Combine(rootfs, "data2"), "../../../../../../.." + outside);
        Assert.False(Copy("/data2"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(data));

        // A link that resolves inside the rootfs is followed (as the runtime follows it for the mount).
        Directory.CreateDirectory(Path.Combine(rootfs, "real"));
        File.WriteAllText(Path.Combine(rootfs, "real", "in"), "inside");
        File.CreateSymbolicLink(Path.Combine(rootfs, "data3"), "/real");
        Assert.True(Copy("/data3"));
        Assert.Equal("inside", File.ReadAllText(Path.Combine(data, "in")));
    }

    [Fact]
    public void SymlinksInsideTheDirectory_AreCopiedAsLinks_NotFollowed()
    {
        Directory.CreateDirectory(Path.Combine(rootfs, "d"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "d", "toSecret"), Path.Combine(outside, "secret"));
        File.CreateSymbolicLink(Path.Combine(rootfs, "d", "toDir"), outside);
        Assert.True(Copy("/d"));
        Assert.NotNull(new FileInfo(Path.Combine(data, "toSecret")).LinkTarget);
        Assert.NotNull(new FileInfo(Path.Combine(data, "toDir")).LinkTarget);
        Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(outside).Select(Path.GetFileName));
    }

    private static Interop.Stat Lstat(string path)
    {
        Errno.ThrowIfFailed(Interop.Fstatat(Interop.AtFdCwd, path, out var st, Interop.AtSymlinkNoFollow), "lstat", path);
        return st;
    }
}
