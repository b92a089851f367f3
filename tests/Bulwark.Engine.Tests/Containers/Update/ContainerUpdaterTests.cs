using Bulwark.Engine.Containers;
using Bulwark.Engine.Containers.Update;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Tests.Containers.Update;

public sealed class ContainerUpdaterTests
{
    private const long Mi = 1024 * 1024;

    [Fact]
    public void Merge_NewMemoryWithinTheDefaultSwap_KeepsTheSwapAndTheOtherLimits()
    {
        var old = new ResourceSpec { MemoryBytes = 64 * Mi, CpuShares = 512, PidsLimit = 100 };
        var merged = ContainerUpdater.Merge(old, new ContainerUpdate { MemoryBytes = 96 * Mi, CpuShares = 0 });
        Assert.Equal(96 * Mi, merged.MemoryBytes);
        Assert.Equal(128 * Mi, merged.MemorySwapBytes);
        Assert.Equal(512, merged.CpuShares);
        Assert.Equal(100, merged.PidsLimit);
    }

    [Fact]
    public void Merge_MemoryAboveTheSwapLimit_IsRefusedWithDockersWording()
    {
        var old = new ResourceSpec { MemoryBytes = 64 * Mi };
        var ex = Assert.Throws<EngineException>(() => ContainerUpdater.Merge(old, new ContainerUpdate { MemoryBytes = 256 * Mi }));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.StartsWith("Memory limit should be smaller than already set memoryswap limit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_NanoCpusOverAnExistingQuota_IsAConflictNamingBoth()
    {
        var old = new ResourceSpec { CpuQuota = 50000, CpuPeriod = 100000 };
        var ex = Assert.Throws<EngineException>(() => ContainerUpdater.Merge(old, new ContainerUpdate { NanoCpus = 1_000_000_000 }));
        Assert.Contains("NanoCPUs", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, -1L)]
    [InlineData(-1L, -1L)]
    [InlineData(200L, 200L)]
    public void Merge_PidsLimit_ZeroAndMinusOneMeanUnlimited(long requested, long expected)
    {
        var merged = ContainerUpdater.Merge(new ResourceSpec { PidsLimit = 50 }, new ContainerUpdate { PidsLimit = requested });
        Assert.Equal(expected, merged.PidsLimit);
    }
}
