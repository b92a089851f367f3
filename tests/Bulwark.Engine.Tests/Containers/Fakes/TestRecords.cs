using Bulwark.Engine.Containers;

namespace Bulwark.Engine.Tests.Containers.Fakes;

/// <summary>Container records for unit tests: only what the services read is meaningful.</summary>
internal static class TestRecords
{
    public static ContainerRecord Make(ContainerState state, ContainerSpec? spec = null, string? id = null) => new()
    {
        Id = id ?? ContainerIndex.NewId(),
        Name = "c" + Guid.NewGuid().ToString("N")[..8],
        Created = DateTimeOffset.UtcNow,
        Spec = spec ?? new ContainerSpec { Image = "test/image:1" },
        ImageId = "sha256:" + new string('a', 64),
        Path = "sleep",
        Args = ["1000"],
        Env = [],
        Labels = new Dictionary<string, string>(),
        Hostname = "host",
        User = "",
        WorkingDir = "/",
        LayerDirs = [],
        Runtime = "runc",
        Profile = new EffectiveProfile(),
        State = state,
    };
}

/// <summary>Records kept in memory, with the saves counted.</summary>
internal sealed class InMemoryRecordStore : IContainerRecordStore
{
    public Dictionary<string, ContainerRecord> Saved { get; } = new(StringComparer.Ordinal);

    public int Saves { get; private set; }

    public string DirectoryOf(string id) => Path.Combine("/nonexistent", id);

    public void Save(ContainerRecord record)
    {
        Saves++;
        Saved[record.Id] = record;
    }

    public void SaveWithoutFlush(ContainerRecord record) => Save(record);

    public bool SaveRunState(ContainerRecord record)
    {
        Save(record);
        return true;
    }

    public (List<ContainerRecord> Records, List<string> OrphanDirs) LoadAll() => ([.. Saved.Values], []);

    public void DeleteRecord(string id) => Saved.Remove(id);
}
