using Bulwark.Engine.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Runtime;

public sealed class RuntimeSelectorTests
{
    [Fact]
    public void Detect_ThisHybridHost_PicksRuncWithReasonMentioningCrun()
    {
        var info = RuntimeSelector.Detect(null, NullLogger.Instance);

        Assert.Equal("runc", info.Name);
        Assert.Equal("/usr/sbin/runc", info.Path);
        Assert.StartsWith("1.", info.Version, StringComparison.Ordinal);
        Assert.Contains("crun", info.FallbackReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_ExplicitRunc_NoFallbackReason()
    {
        var info = RuntimeSelector.Detect("runc", NullLogger.Instance);

        Assert.Equal("runc", info.Name);
        Assert.Null(info.FallbackReason);
    }

    [Fact]
    public void DetectCgroupMode_Mountinfo_Classified()
    {
        const string hybrid = """
            30 22 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
            31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
            32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            """;
        const string unified = "30 22 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n";
        const string legacy = "32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";

        Assert.Equal(CgroupMode.Hybrid, RuntimeSelector.DetectCgroupMode(hybrid));
        Assert.Equal(CgroupMode.Unified, RuntimeSelector.DetectCgroupMode(unified));
        Assert.Equal(CgroupMode.Legacy, RuntimeSelector.DetectCgroupMode(legacy));
    }
}
