using System.Text;
using Bulwark.Daemon.Api.Containers;
using Bulwark.Engine.Containers.Archive;

namespace Bulwark.Daemon.Tests.Api.Containers;

public sealed class ArchiveEndpointsTests
{
    [Fact]
    public void EncodeStat_CapturedDirectory_MatchesDockersHeaderByteForByte()
    {
        // research/docker-api-captures/80-cp-in.txt: HEAD /containers/capc/archive?path=/tmp/
        var stat = new ContainerPathStat("tmp", 4096, GoFileMode.FromUnix(0x41ED), new DateTimeOffset(2026, 11, 22, 18, 17, 47, TimeSpan.Zero), "");
        Assert.Equal(
            "eyJuYW1lIjoidG1wIiwic2l6ZSI6NDA5NiwibW9kZSI6MjE0NzQ4NDE0MSwibXRpbWUiOiIyMDI2LTExLTIyVDE4OjE3OjQ3WiIsImxpbmtUYXJnZXQiOiIifQ==",
            ArchiveEndpoints.EncodeStat(stat));
    }

    [Fact]
    public void EncodeStat_Symlink_CarriesTheResolvedTarget()
    {
        var stat = new ContainerPathStat("evil", 1, GoFileMode.FromUnix(0xA1FF), DateTimeOffset.UnixEpoch, "/");
        string json = Encoding.UTF8.GetString(Convert.FromBase64String(ArchiveEndpoints.EncodeStat(stat)));
        Assert.Equal("{\"name\":\"evil\",\"size\":1,\"mode\":134218239,\"mtime\":\"1970-01-01T00:00:00Z\",\"linkTarget\":\"/\"}", json);
    }
}
