using Bulwark.Engine.Containers.Filesystem;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Tests.Containers.Filesystem;

public sealed class TmpfsMountpointsTests : IDisposable
{
    private readonly string _rootfs = Directory.CreateTempSubdirectory("bulwark-tmpfs-").FullName;

    public void Dispose() => Directory.Delete(_rootfs, recursive: true);

    [Fact]
    public void Prepare_GivesAnExistingMountpointTheWantedMode_1777ByDefault()
    {
        string tmp = Directory.CreateDirectory(Path.Combine(_rootfs, "tmp")).FullName;
        string data = Directory.CreateDirectory(Path.Combine(_rootfs, "data")).FullName;
        File.SetUnixFileMode(tmp, (UnixFileMode)0x1ED); // 0755
        File.SetUnixFileMode(data, (UnixFileMode)0x1ED);

        TmpfsMountpoints.Prepare(_rootfs, new Dictionary<string, string> { ["/tmp"] = "", ["/data"] = "size=1m,mode=0750", ["/absent"] = "" });

        Assert.Equal((UnixFileMode)0x3FF | UnixFileMode.StickyBit, File.GetUnixFileMode(tmp));
        Assert.Equal((UnixFileMode)0x1E8, File.GetUnixFileMode(data)); // 0750
        Assert.False(Directory.Exists(Path.Combine(_rootfs, "absent"))); // runc creates it; a fresh tmpfs is 1777 anyway
    }

    [Fact]
    public void Prepare_DoesNotFollowASymlinkOutOfTheRootfs()
    {
        string outside = Directory.CreateTempSubdirectory("bulwark-tmpfs-outside-").FullName;
        try
        {
            File.SetUnixFileMode(outside, (UnixFileMode)0x1ED);
            File.CreateSymbolicLink(Path.Combine(_rootfs, "tmp"), outside);
            TmpfsMountpoints.Prepare(_rootfs, new Dictionary<string, string> { ["/tmp"] = "" });
            Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(outside));
        }
        finally
        {
            Directory.Delete(outside);
        }
    }

    [Theory]
    [InlineData("", 0x3FF)]
    [InlineData("size=10m", 0x3FF)]
    [InlineData("mode=700,uid=5", 0x1C0)]
    [InlineData("uid=5,mode=1770", 0x3F8)]
    public void ModeOf_ReadsOctalOrDefaultsTo1777(string options, int mode) => Assert.Equal((uint)mode, TmpfsMountpoints.ModeOf(options));

    [Fact]
    public void ModeOf_NotOctal_IsRefused() =>
        Assert.Throws<EngineException>(() => TmpfsMountpoints.ModeOf("mode=rwx"));
}
