using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Tests.Containers.Fakes;

namespace Bulwark.Engine.Tests.Containers;

public sealed class ContainerIndexTests
{
    private readonly InMemoryRecordStore _store = new();

    [Fact]
    public void Find_ByIdNameOrUniquePrefix_AndAnAmbiguousPrefixIsRefused()
    {
        var index = new ContainerIndex(_store);
        var a = index.Add(TestRecords.Make(ContainerState.Created, id: "abc" + new string('1', 61)));
        index.Add(TestRecords.Make(ContainerState.Created, id: "abd" + new string('2', 61)));
        Assert.Same(a, index.Find(a.Id));
        Assert.Same(a, index.Find("/" + a.Record.Name));
        Assert.Same(a, index.Find("abc"));
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => index.Find("ab")).Kind);
        Assert.Equal(ErrorKind.NotFound, Assert.Throws<EngineException>(() => index.Find("zzz")).Kind);
    }

    [Fact]
    public void AReservedName_IsAConflict_UntilReleased()
    {
        var index = new ContainerIndex(_store);
        index.ReserveName("web", "id1");
        Assert.Equal(ErrorKind.Conflict, Assert.Throws<EngineException>(() => index.ReserveName("web", "id2")).Kind);
        index.ReleaseName("web", "id2"); // not the owner: nothing happens
        Assert.Throws<EngineException>(() => index.ReserveName("web", "id2"));
        index.ReleaseName("web", "id1");
        index.ReserveName("web", "id2");
    }

    [Fact]
    public void ARemovedContainer_IsNeverSavedAgain_ByALateWriter()
    {
        var index = new ContainerIndex(_store);
        var h = index.Add(TestRecords.Make(ContainerState.Running));
        index.Remove(h);
        index.Save(h);
        Assert.Empty(_store.Saved);
        Assert.True(h.Forgotten);
        Assert.Throws<EngineException>(() => index.Find(h.Id));
    }

    [Fact]
    public void Rename_KeepsTheOldNameOnConflict()
    {
        var index = new ContainerIndex(_store);
        var a = index.Add(TestRecords.Make(ContainerState.Created));
        var b = index.Add(TestRecords.Make(ContainerState.Created));
        string before = a.Record.Name;
        Assert.Throws<EngineException>(() => index.Rename(a, b.Record.Name));
        Assert.Equal(before, a.Record.Name);
        index.Rename(a, "fresh");
        Assert.Same(a, index.Find("fresh"));
        Assert.Throws<EngineException>(() => index.Find(before));
    }
}
