using Bulwark.Engine.Security.UserNamespaces;

namespace Bulwark.Engine.Tests.Security.UserNamespaces;

public sealed class SubordinateIdFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bwsub-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FreeStart_NoRanges_Is100000()
    {
        var f = new SubordinateIdFile(Path.Combine(_dir, "subuid"));

        Assert.Equal(100000u, SubordinateIdFile.FreeStart([f], 65536));
    }

    [Fact]
    public void FreeStart_OverlappingRangesInEitherFile_SkipsThem()
    {
        File.WriteAllText(Path.Combine(_dir, "subuid"), "alice:100000:65536\n# comment\nbob:231072:65536\n");
        File.WriteAllText(Path.Combine(_dir, "subgid"), "alice:165536:65536\n");
        var uid = new SubordinateIdFile(Path.Combine(_dir, "subuid"));
        var gid = new SubordinateIdFile(Path.Combine(_dir, "subgid"));

        Assert.Equal(296608u, SubordinateIdFile.FreeStart([uid, gid], 65536));
    }

    [Fact]
    public void Append_KeepsExistingLinesAndFindsTheNewRange()
    {
        string path = Path.Combine(_dir, "subuid");
        File.WriteAllText(path, "alice:100000:65536");
        var f = new SubordinateIdFile(path);

        f.Append("bulwark", 165536, 65536);

        Assert.Equal("alice:100000:65536\nbulwark:165536:65536\n", File.ReadAllText(path));
        Assert.Equal((165536u, 65536u), f.Find("bulwark", null, 65536));
        Assert.Null(f.Find("carol", null, 65536));
    }

    [Fact]
    public void IdMapping_DescribeAndShift()
    {
        var m = new IdMapping("bulwark", 100000, 100000, 65536);

        Assert.Equal("0:100000:65536", m.Describe());
        Assert.Equal(165534u, m.ToHostUid(65534));
        Assert.Equal(100000u, m.UidMappings.Single().HostId);
    }
}
