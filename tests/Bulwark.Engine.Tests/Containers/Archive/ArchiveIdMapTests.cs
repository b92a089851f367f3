using Bulwark.Engine.Containers;
using Bulwark.Engine.Containers.Archive;

namespace Bulwark.Engine.Tests.Containers.Archive;

public sealed class ArchiveIdMapTests
{
    [Fact]
    public void FromProfile_RemappedContainer_ShiftsBothWays()
    {
        var map = ArchiveIdMap.FromProfile(new EffectiveProfile { UidMap = "0 100000 65536", GidMap = "0 200000 65536" });
        Assert.Equal(100000u, map.ToHostUid(0));
        Assert.Equal(200005u, map.ToHostGid(5));
        Assert.Equal(0, map.ToContainerUid(100000));
        Assert.Equal(7, map.ToContainerGid(200007));
        Assert.Equal(ArchiveIdMap.OverflowId, map.ToContainerUid(0)); // host root is nobody inside
    }

    [Fact]
    public void FromProfile_HostUserNamespace_IsIdentity()
    {
        var map = ArchiveIdMap.FromProfile(new EffectiveProfile());
        Assert.True(map.IsIdentity);
        Assert.Equal(1000u, map.ToHostUid(1000));
        Assert.Equal(0, map.ToContainerUid(0));
    }
}
