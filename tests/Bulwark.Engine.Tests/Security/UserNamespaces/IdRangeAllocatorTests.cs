using Bulwark.Engine.Errors;
using Bulwark.Engine.Security.UserNamespaces;

namespace Bulwark.Engine.Tests.Security.UserNamespaces;

public sealed class IdRangeAllocatorTests
{
    private static IdRangeAllocator ThreeSlots() =>
        new("bulwark", [(1_000_000u, 3 * 65536u)], [(2_000_000u, 3 * 65536u + 100)]);

    [Fact]
    public void Slots_AreCutFromTheRanges_AndPairUidWithGidRanges()
    {
        var a = ThreeSlots();

        var first = a.Reserve([]);

        Assert.Equal(3, a.Capacity);
        Assert.Equal(new IdMapping("bulwark", 1_000_000, 2_000_000, 65536), first);
    }

    [Fact]
    public void Reserve_SkipsRangesHeldByRecordsAndReservedByCreatesInProgress()
    {
        var a = ThreeSlots();
        var reserved = a.Reserve([]);

        var next = a.Reserve([1_065_536u]);

        Assert.Equal(1_000_000u, reserved.HostUid);
        Assert.Equal(1_131_072u, next.HostUid);
    }

    [Fact]
    public void Release_MakesAReservedRangeFreeAgain()
    {
        var a = ThreeSlots();
        var m = a.Reserve([]);

        a.Release(m);

        Assert.Equal(m, a.Reserve([]));
    }

    [Fact]
    public void Reserve_WhenEveryRangeIsHeld_FailsNamingTheCauseAndTheFix()
    {
        var a = ThreeSlots();

        var ex = Assert.Throws<EngineException>(() => a.Reserve([1_000_000u, 1_065_536u, 1_131_072u]));

        Assert.Contains("no free user namespace range", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/etc/subuid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slots_NeverOverlap_WhenTheFileListsOverlappingRanges()
    {
        var a = new IdRangeAllocator("bulwark", [(100_000u, 65536u), (100_000u + 32768, 2 * 65536u)], [(100_000u, 4 * 65536u)]);

        Assert.Equal(2, a.Capacity);
    }
}
