using System.Security.Cryptography;
using System.Text;
using Bulwark.Engine.Images.Layers;
using Bulwark.Engine.Snapshots;
using Bulwark.Native;

namespace Bulwark.Engine.Tests.Images.Layers;

public sealed class LayerApplierTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();

    public void Dispose() => scratch.Dispose();

    [Fact]
    public void Apply_PlainGzipZstd_SameContentAndDiffIdOfPlainTar()
    {
        var tar = new LayerTarBuilder().Dir("etc").File("etc/hello", "hi there").Build();
        string expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar));
        var inputs = new (byte[] Data, LayerCompression Kind)[]
        {
            (tar, LayerCompression.None), (LayerTarBuilder.Gzip(tar), LayerCompression.Gzip), (LayerTarBuilder.Zstd(tar), LayerCompression.Zstd),
        };
        foreach (var (data, kind) in inputs)
        {
            string dir = scratch.Sub(kind.ToString());
            var result = LayerApplier.Apply(new MemoryStream(data), dir, "l", CancellationToken.None);
            Assert.Equal(expected, result.DiffId.Value);
            Assert.Equal(kind, result.Compression);
            Assert.Equal(8, result.Size);
            Assert.Equal("hi there", File.ReadAllText(Path.Combine(dir, "etc/hello")));
        }
    }

    [Fact]
    public void Apply_ModesOwnersTimes_KeptIncludingSetuid()
    {
        string dir = scratch.Sub("s");
        var tar = new LayerTarBuilder()
            .Dir("bin", (UnixFileMode)0x1ED)
            .File("bin/su", "#!", (UnixFileMode)0x9ED, uid: 0, gid: 0) // 04755
            .Dir("shared", (UnixFileMode)0x5FD, uid: 1000, gid: 1000)  // 02775
            .File("shared/f", "x", (UnixFileMode)0x1A0, uid: 1234, gid: 5678)
            .Symlink("shared/l", "/nowhere")
            .Fifo("pipe")
            .Build();
        LayerApplier.Apply(new MemoryStream(tar), dir, "l", CancellationToken.None);
        Assert.Equal(0x9EDu, Stat(Path.Combine(dir, "bin/su")).Mode & 0xFFF);
        Assert.Equal(0x5FDu, Stat(Path.Combine(dir, "shared")).Mode & 0xFFF);
        var f = Stat(Path.Combine(dir, "shared/f"));
        Assert.Equal((1234u, 5678u, 0x1A0u), (f.Uid, f.Gid, f.Mode & 0xFFF));
        Assert.Equal(LayerTarBuilder.Epoch.ToUnixTimeSeconds(), f.MtimeSec);
        Assert.Equal(LayerTarBuilder.Epoch.ToUnixTimeSeconds(), Stat(Path.Combine(dir, "shared")).MtimeSec);
        Assert.Equal("/nowhere", new FileInfo(Path.Combine(dir, "shared/l")).LinkTarget);
        Assert.Equal(Interop.SIfIfo, Stat(Path.Combine(dir, "pipe")).Mode & Interop.SIfMt);
    }

    [Fact]
    public void Apply_Xattrs_UserAndCapabilityKeptOthersDropped()
    {
        string dir = scratch.Sub("x");
        var pax = new Dictionary<string, string>
        {
            ["SCHILY.xattr.user.note"] = "kept",
            ["SCHILY.xattr.trusted.overlay.opaque"] = "y",
            ["SCHILY.xattr.security.selinux"] = "system_u:object_r:etc_t:s0",
        };
        var tar = new LayerTarBuilder().File("f", "x", pax: pax).Build();
        LayerApplier.Apply(new MemoryStream(tar), dir, "l", CancellationToken.None);
        string f = Path.Combine(dir, "f");
        Assert.Equal("kept", Encoding.UTF8.GetString(Interop.Lgetxattr(f, "user.note")!));
        Assert.Null(Interop.Lgetxattr(f, "trusted.overlay.opaque"));
        Assert.DoesNotContain("security.selinux", Interop.Llistxattr(f));
    }

    [Fact]
    public void Apply_WhiteoutAndOpaque_RecordedInOverlayForm()
    {
        string dir = scratch.Sub("w");
        var tar = new LayerTarBuilder()
            .Dir("etc")
            .File("etc/.wh.gone", string.Empty)
            .Dir("var/cache")
            .File("var/cache/.wh..wh..opq", string.Empty)
            .File("var/cache/new", "n")
            .Build();
        LayerApplier.Apply(new MemoryStream(tar), dir, "l", CancellationToken.None);
        var wh = Stat(Path.Combine(dir, "etc/gone"));
        Assert.Equal(Interop.SIfChr, wh.Mode & Interop.SIfMt);
        Assert.Equal(0ul, wh.Rdev);
        Assert.False(File.Exists(Path.Combine(dir, "etc/.wh.gone")));
        Assert.True(LayerCopier.IsOpaque(Path.Combine(dir, "var/cache")));
        Assert.False(File.Exists(Path.Combine(dir, "var/cache/.wh..wh..opq")));
        Assert.Equal("n", File.ReadAllText(Path.Combine(dir, "var/cache/new")));
    }

    [Fact]
    public void Apply_WhiteoutOfEntryEarlierInSameLayer_ReplacesIt()
    {
        string dir = scratch.Sub("w2");
        var tar = new LayerTarBuilder().File("d/x/y", "1").File("d/.wh.x", string.Empty).Build();
        LayerApplier.Apply(new MemoryStream(tar), dir, "l", CancellationToken.None);
        Assert.Equal(Interop.SIfChr, Stat(Path.Combine(dir, "d/x")).Mode & Interop.SIfMt);
    }

    [Fact]
    public void Apply_HardlinkInsideLayer_SharesInode()
    {
        string dir = scratch.Sub("h");
        var tar = new LayerTarBuilder().File("a", "data").Hardlink("b", "a").Hardlink("c", "/a").Build();
        LayerApplier.Apply(new MemoryStream(tar), dir, "l", CancellationToken.None);
        Assert.Equal(Stat(Path.Combine(dir, "a")).Ino, Stat(Path.Combine(dir, "b")).Ino);
        Assert.Equal(3ul, Stat(Path.Combine(dir, "c")).Nlink);
    }

    [Fact]
    public void Apply_ImplicitParents_Created()
    {
        string dir = scratch.Sub("p");
        var tar = new LayerTarBuilder().File("usr/local/bin/tool", "t").Build();
        LayerApplier.Apply(new MemoryStream(tar), dir, "l", CancellationToken.None);
        Assert.Equal("t", File.ReadAllText(Path.Combine(dir, "usr/local/bin/tool")));
    }

    [Fact]
    public void CleanPath_Cases()
    {
        Assert.Equal("a/b", LayerApplier.CleanPath("./a//b/"));
        Assert.Equal("etc/x", LayerApplier.CleanPath("/etc/x"));
        Assert.Equal("b", LayerApplier.CleanPath("a/../b"));
        Assert.Null(LayerApplier.CleanPath("../x"));
        Assert.Equal(string.Empty, LayerApplier.CleanPath("./"));
    }

    private static Interop.Stat Stat(string path)
    {
        Errno.ThrowIfFailed(Interop.Fstatat(Interop.AtFdCwd, path, out var st, Interop.AtSymlinkNoFollow), "lstat", path);
        return st;
    }
}
