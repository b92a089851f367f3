using Bulwark.Engine.Containers;
using Bulwark.Engine.Tests.Containers.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Containers;

public sealed class ContainerStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bulwark-store-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void LoadAll_ReturnsSavedRecords()
    {
        var store = new ContainerStore(_root, NullLogger.Instance);
        var record = TestRecords.Make(ContainerState.Exited);
        store.Save(record);

        var (records, orphans) = store.LoadAll();

        Assert.Equal(record.Id, Assert.Single(records).Id);
        Assert.Empty(orphans);
    }

    [Theory]
    [InlineData("{ \"Id\": \"truncat")]
    [InlineData("null")]
    [InlineData("{\"Id\":\"someone-else\"}")]
    public void LoadAll_UnparseableRecord_IsKeptAsideByteForByteAndItsDirectoryReportedAsOrphan(string garbage)
    {
        var store = new ContainerStore(_root, NullLogger.Instance);
        var good = TestRecords.Make(ContainerState.Running);
        store.Save(good);
        string badId = ContainerIndex.NewId();
        string badDir = store.DirectoryOf(badId);
        Directory.CreateDirectory(badDir);
        File.WriteAllText(Path.Combine(badDir, "container.json"), garbage);

        var (records, orphans) = store.LoadAll();

        Assert.Equal(good.Id, Assert.Single(records).Id);
        Assert.Equal(badDir, Assert.Single(orphans));
        string kept = Assert.Single(Directory.GetFiles(Path.Combine(_root, "unreadable", "containers")));
        Assert.StartsWith(badId + "-", Path.GetFileName(kept), StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllText(kept));
    }
}
