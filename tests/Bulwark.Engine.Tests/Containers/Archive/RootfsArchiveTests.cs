using System.Formats.Tar;
using Bulwark.Engine.Containers.Archive;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Tests.Images;
using Bulwark.Native;

namespace Bulwark.Engine.Tests.Containers.Archive;

/// <summary>The tar writer and extractor on a temp "rootfs" holding hostile symlinks (CVE-2018-15664 shapes).</summary>
public sealed class RootfsArchiveTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();
    private readonly string _root;
    private readonly string _outside;

    public RootfsArchiveTests()
    {
        _root = _scratch.Sub("rootfs");
        _outside = _scratch.Sub("outside");
        File.WriteAllText(Path.Combine(_outside, "secret"), "HOST\n");
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc", "passwd"), "inside\n");
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
        File.CreateSymbolicLink(Path.Combine(_root, "tmp", "evil"), "/");
        File.CreateSymbolicLink(Path.Combine(_root, "tmp", "out"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "tmp", "up"), "../../../../../../..");
    }

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void TryOpenPath_SymlinkComponents_ResolveInsideTheRoot()
    {
        using var fs = new RootedFileSystem(_root);
        using var passwd = fs.TryOpenPath("tmp/evil/etc/passwd", followFinal: false);
        Assert.NotNull(passwd);
        Assert.Equal("etc/passwd", fs.PathOf(passwd!));
        Assert.Null(fs.TryOpenPath("tmp/out/secret", followFinal: false));
        Assert.Null(fs.TryOpenPath("tmp/up" + _outside + "/secret", followFinal: true));
        using var up = fs.TryOpenPath("tmp/up", followFinal: true);
        Assert.Equal(string.Empty, fs.PathOf(up!));
    }

    [Fact]
    public void WriteTree_Symlinks_AreArchivedNotFollowed()
    {
        using var fs = new RootedFileSystem(_root);
        using var tmp = fs.TryOpenPath("tmp", followFinal: false)!;
        var entries = Archive(tar => tar.WriteTree(tmp, "tmp"), ArchiveIdMap.Identity);
        Assert.Equal(["tmp/", "tmp/evil", "tmp/out", "tmp/up"], entries.Select(e => e.Name).ToArray());
        Assert.All(entries.Skip(1), e => Assert.Equal(TarEntryType.SymbolicLink, e.Type));
        Assert.Equal(_outside, entries.Single(e => e.Name == "tmp/out").LinkName);
    }

    [Fact]
    public void WriteTree_RemappedOwners_AreShownAsContainerIds()
    {
        Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, Path.Combine(_root, "etc", "passwd"), 100000, 100001, Interop.AtSymlinkNoFollow), "chown", "passwd");
        using var fs = new RootedFileSystem(_root);
        using var etc = fs.TryOpenPath("etc", followFinal: false)!;
        var map = new ArchiveIdMap(100000, 100000, 65536);
        var passwd = Archive(tar => tar.WriteTree(etc, "etc"), map).Single(e => e.Name == "etc/passwd");
        Assert.Equal((0, 1), (passwd.Uid, passwd.Gid));
        Assert.Equal("inside\n", passwd.Content);
    }

    [Fact]
    public void Extract_ThroughSymlinkToRootAndHostPath_StaysInsideTheRoot()
    {
        using var fs = new RootedFileSystem(_root);
        var tar = Tar(("tmp/out/planted", "x"), ("tmp/evil/planted", "y"), ("tmp/up/tmp/out/planted2", "z"));
        RootfsTarExtractor.Extract(fs, "", "/", tar, new ExtractOptions(true, false), new ArchiveIdMap(100000, 100000, 65536), CancellationToken.None);

        Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(_outside).Select(p => Path.GetFileName(p)!).ToArray());
        Assert.Equal("y", File.ReadAllText(Path.Combine(_root, "planted")));
        Assert.Equal("x", File.ReadAllText(Path.Combine(_root, _outside.TrimStart('/'), "planted")));
        Errno.ThrowIfFailed(Interop.Fstatat(Interop.AtFdCwd, Path.Combine(_root, "planted"), out var st, Interop.AtSymlinkNoFollow), "stat", "planted");
        Assert.Equal((100000u, 100000u), (st.Uid, st.Gid));
    }

    [Fact]
    public void Extract_DotDotEntry_IsRefused()
    {
        using var fs = new RootedFileSystem(_root);
        var ex = Assert.Throws<EngineException>(() => RootfsTarExtractor.Extract(fs, "tmp", "/tmp", Tar(("../../x", "x")),
            new ExtractOptions(true, false), ArchiveIdMap.Identity, CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public void Extract_NoOverwriteDirNonDir_RefusesReplacingADirectory()
    {
        using var fs = new RootedFileSystem(_root);
        var ex = Assert.Throws<EngineException>(() => RootfsTarExtractor.Extract(fs, "", "/", Tar(("etc", "not a dir")),
            new ExtractOptions(true, false), ArchiveIdMap.Identity, CancellationToken.None));
        Assert.Contains("cannot overwrite directory", ex.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_root, "etc")));
    }

    private static MemoryStream Tar(params (string Name, string Content)[] files)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
                    Mode = (UnixFileMode)0x1A4,
                });
            }
        }

        ms.Position = 0;
        return ms;
    }

    private static List<(string Name, TarEntryType Type, string LinkName, int Uid, int Gid, string Content)> Archive(Action<RootfsTarWriter> write, ArchiveIdMap map)
    {
        var ms = new MemoryStream();
        using (var tar = new RootfsTarWriter(ms, map, CancellationToken.None))
        {
            write(tar);
        }

        ms.Position = 0;
        var list = new List<(string, TarEntryType, string, int, int, string)>();
        using var reader = new TarReader(ms);
        while (reader.GetNextEntry() is { } e)
        {
            string content = e.DataStream is { } d ? new StreamReader(d).ReadToEnd() : "";
            list.Add((e.Name, e.EntryType, e.LinkName, e.Uid, e.Gid, content));
        }

        return list;
    }
}
