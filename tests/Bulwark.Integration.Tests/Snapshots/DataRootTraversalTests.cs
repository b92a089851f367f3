using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Snapshots;

/// <summary>A data root below a directory the remapped container root cannot traverse is refused at start, naming it.</summary>
public sealed class DataRootTraversalTests
{
    [Fact]
    public async Task DataRootUnderA0700Parent_IsRefusedAtStart_NamingTheDirectory()
    {
        string outer = Path.Combine("/tmp", "bwt-" + Guid.NewGuid().ToString("N")[..8]);
        string locked = Path.Combine(outer, "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => DaemonInstance.StartAsync(root: Path.Combine(locked, "d")));

            Assert.Contains($"its parent directory {locked} (mode 700) is not traversable", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Cleanup.RemoveMountsUnder(outer);
            Directory.Delete(outer, recursive: true);
        }
    }
}
