using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Engine.Snapshots.Idmapped;
using Bulwark.Engine.Tests.Images;
using Bulwark.Native;

namespace Bulwark.Engine.Tests.Snapshots.Idmapped;

/// <summary>A range's user namespace is made once and reused by every later mount (runs as root: idmapped mounts).</summary>
[Collection(nameof(UserNamespaceCacheTests))]
public sealed class UserNamespaceCacheTests : IDisposable
{
    private readonly ScratchDirectory scratch = new();

    public void Dispose() => scratch.Dispose();

    [Fact]
    public void Rent_SameRangeTwice_ReusesOneNamespace_AndAnotherRangeGetsItsOwn()
    {
        var a = new IdMapping("t", 300000, 300000, 65536);
        var b = new IdMapping("t", 400000, 400000, 65536);
        using var first = UserNamespaceCache.Rent(a);
        using var again = UserNamespaceCache.Rent(a);
        using var other = UserNamespaceCache.Rent(b);

        Assert.Same(first.File, again.File);
        Assert.Equal(NamespaceOf(first), NamespaceOf(again));
        Assert.NotEqual(NamespaceOf(first), NamespaceOf(other));
    }

    [Fact]
    public void Rent_TheKeptNamespace_StillMapsItsRange()
    {
        var map = new IdMapping("t", 310000, 320000, 65536);
        UserNamespaceCache.Rent(map).Dispose(); // made, lease dropped at once: the cache keeps the file
        string source = scratch.Sub("src");
        File.WriteAllText(Path.Combine(source, "f"), "x");
        Assert.Equal(0, Interop.Fchownat(Interop.AtFdCwd, Path.Combine(source, "f"), 7, 8, 0));
        string target = scratch.Sub("mapped");

        using (var lease = UserNamespaceCache.Rent(map))
        {
            IdmappedMount.Attach(source, target, lease.File, Interop.MountAttrRdOnly);
        }

        try
        {
            Assert.Equal(0, Interop.Fstatat(Interop.AtFdCwd, Path.Combine(target, "f"), out var st, Interop.AtSymlinkNoFollow));
            Assert.Equal((310007u, 320008u), (st.Uid, st.Gid));
        }
        finally
        {
            MountPoints.DetachAll(target);
        }
    }

    [Fact]
    public void Clear_WhileALeaseIsHeld_KeepsThatFileOpenUntilItIsReleased()
    {
        var map = new IdMapping("t", 330000, 330000, 65536);
        var lease = UserNamespaceCache.Rent(map);
        string before = NamespaceOf(lease);
        UserNamespaceCache.Clear();
        Assert.False(lease.File.IsInvalid);
        Assert.Equal(before, NamespaceOf(lease)); // still open: the descriptor still names the namespace
        lease.Dispose();
        Assert.True(lease.File.IsClosed);
    }

    private static string NamespaceOf(UserNamespaceCache.Lease lease) =>
        new FileInfo("/proc/self/fd/" + lease.File.DangerousGetHandle()).LinkTarget ?? "";
}
