using System.Formats.Tar;
using Bulwark.Cli.Copying;

namespace Bulwark.Cli.Tests.Copying;

public sealed class TarExtractorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "bulwark-tar-" + Guid.NewGuid().ToString("N"));

    public TarExtractorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static MemoryStream Tar(params (string Name, TarEntryType Type, string Content)[] entries)
    {
        var ms = new MemoryStream();
        using (var writer = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, type, content) in entries)
            {
                var entry = new PaxTarEntry(type, name);
                if (type == TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
                }
                else if (type == TarEntryType.SymbolicLink)
                {
                    entry.LinkName = content;
                }

                writer.WriteEntry(entry);
            }
        }

        ms.Position = 0;
        return ms;
    }

    [Fact]
    public async Task Extract_Rename_GivesTheTopEntryTheDestinationName()
    {
        using var tar = Tar(("out", TarEntryType.Directory, ""), ("out/deep", TarEntryType.Directory, ""), ("out/deep/f.txt", TarEntryType.RegularFile, "x"));
        await TarExtractor.ExtractAsync(tar, _dir, "out", "named", CancellationToken.None);
        Assert.Equal("x", File.ReadAllText(Path.Combine(_dir, "named", "deep", "f.txt")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("top/../../escape.txt")]
    public async Task Extract_EntryOutsideTheDirectory_IsRefusedAndNotWritten(string name)
    {
        using var tar = Tar((name, TarEntryType.RegularFile, "evil"));
        var ex = await Assert.ThrowsAsync<CliException>(() => TarExtractor.ExtractAsync(tar, Path.Combine(_dir, "in"), "top", null, CancellationToken.None));
        Assert.Contains("outside", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "escape.txt")));
    }

    [Fact]
    public async Task Extract_EntryThroughASymlinkFromTheSameTar_IsRefusedAndNotWritten()
    {
        var outside = Path.Combine(_dir, "outside");
        Directory.CreateDirectory(outside);
        using var tar = Tar(("top", TarEntryType.Directory, ""), ("top/link", TarEntryType.SymbolicLink, outside),
            ("top/link/evil.txt", TarEntryType.RegularFile, "evil"));
        var ex = await Assert.ThrowsAsync<CliException>(() => TarExtractor.ExtractAsync(tar, Path.Combine(_dir, "in"), "top", null, CancellationToken.None));
        Assert.Contains("outside", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outside, "evil.txt")));
    }

    [Fact]
    public async Task Extract_FileOverASymlink_ReplacesTheLinkInsteadOfWritingThroughIt()
    {
        var victim = Path.Combine(_dir, "victim.txt");
        File.WriteAllText(victim, "keep");
        using var tar = Tar(("top", TarEntryType.Directory, ""), ("top/f", TarEntryType.SymbolicLink, victim), ("top/f", TarEntryType.RegularFile, "new"));
        await TarExtractor.ExtractAsync(tar, Path.Combine(_dir, "in"), "top", null, CancellationToken.None);
        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.Equal("new", File.ReadAllText(Path.Combine(_dir, "in", "top", "f")));
    }

    [Fact]
    public async Task Extract_SymlinkIsCreatedAsALinkNotFollowed()
    {
        using var tar = Tar(("top", TarEntryType.Directory, ""), ("top/link", TarEntryType.SymbolicLink, "/etc/passwd"));
        await TarExtractor.ExtractAsync(tar, _dir, "top", null, CancellationToken.None);
        Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(_dir, "top", "link")).LinkTarget);
    }
}
