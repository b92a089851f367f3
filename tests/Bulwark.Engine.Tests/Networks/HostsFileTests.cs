using Bulwark.Engine.Networks;

namespace Bulwark.Engine.Tests.Networks;

public sealed class HostsFileTests
{
    [Fact]
    public void Render_OwnEntriesThenPeers_WithLocalhost()
    {
        string text = HostsFile.Render(
            [new HostsEntry("172.30.0.2", ["abc123", "web", "www"])],
            [new HostsEntry("172.30.0.3", ["db", "0123456789ab", "database"])]);
        Assert.Equal(
            HostsFile.Header + "127.0.0.1\tlocalhost\n172.30.0.2\tabc123 web www\n172.30.0.3\tdb 0123456789ab database\n", text);
    }

    [Fact]
    public void Render_DropsNamesThatCouldInjectLinesOrComments()
    {
        string text = HostsFile.Render([], [new HostsEntry("10.0.0.2", ["ok", "evil\n10.6.6.6 bank", "#x", "sp ace", ""])]);
        Assert.EndsWith("10.0.0.2\tok\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("10.6.6.6", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DuplicateNamesOnceAndEntriesWithoutNamesOmitted()
    {
        string text = HostsFile.Render([new HostsEntry("10.0.0.2", ["a", "a", "b"])], [new HostsEntry("10.0.0.3", ["\t"])]);
        Assert.Contains("10.0.0.2\ta b\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.3", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteInPlace_KeepsTheInodeAndTruncates()
    {
        string path = Path.Combine(Path.GetTempPath(), "bw-hosts-" + Guid.NewGuid().ToString("N"));
        try
        {
            HostsFile.WriteInPlace(path, new string('x', 500));
            ulong inode = Inode(path);
            HostsFile.WriteInPlace(path, "short\n");
            Assert.Equal("short\n", File.ReadAllText(path));
            Assert.Equal(inode, Inode(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static ulong Inode(string path) => Bulwark.Native.FileStatus.Inode(path);
}
