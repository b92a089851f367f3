using Bulwark.Engine.Containers.Archive;
using Bulwark.Engine.Tests.Images;
using Bulwark.Native;

namespace Bulwark.Engine.Tests.Containers.Archive;

public sealed class OverlayChangesTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Compute_UpperWithWhiteoutNewAndCopiedUp_ReportsDeleteAddModify()
    {
        string lower = _scratch.Sub("lower");
        Directory.CreateDirectory(Path.Combine(lower, "etc"));
        Directory.CreateDirectory(Path.Combine(lower, "tmp"));
        File.WriteAllText(Path.Combine(lower, "etc", "group"), "g");
        File.WriteAllText(Path.Combine(lower, "etc", "passwd"), "p");
        string upper = _scratch.Sub("upper");
        Directory.CreateDirectory(Path.Combine(upper, "etc"));
        Directory.CreateDirectory(Path.Combine(upper, "tmp"));
        File.WriteAllText(Path.Combine(upper, "tmp", "x"), "");
        File.WriteAllText(Path.Combine(upper, "etc", "passwd"), "changed");
        File.WriteAllText(Path.Combine(upper, "newfile"), "");
        File.CreateSymbolicLink(Path.Combine(upper, "escape"), "/etc"); // not followed
        Errno.ThrowIfFailed(Interop.Mknodat(Interop.AtFdCwd, Path.Combine(upper, "etc", "group"), Interop.SIfChr, 0), "mknod", "whiteout");
        Directory.CreateDirectory(Path.Combine(upper, "proc"));

        var changes = OverlayChanges.Compute(upper, [lower], new HashSet<string> { "/proc" }, CancellationToken.None);

        Assert.Equal(
            ["A /escape", "C /etc", "D /etc/group", "C /etc/passwd", "A /newfile", "C /tmp", "A /tmp/x"],
            changes.Select(c => (c.Kind switch { ContainerChangeKind.Added => "A", ContainerChangeKind.Deleted => "D", _ => "C" }) + " " + c.Path).ToArray());
    }
}
