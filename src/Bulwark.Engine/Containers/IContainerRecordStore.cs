namespace Bulwark.Engine.Containers;

/// <summary>Where container records live: one directory per container holding its record, bundle and logs.</summary>
internal interface IContainerRecordStore
{
    string DirectoryOf(string id);

    /// <summary>Replaces the record atomically; <paramref name="durable"/> adds an fsync before the rename.</summary>
    void Save(ContainerRecord record, bool durable = true);

    /// <summary>Every complete record, and the directories without one (a crash during create or removal).</summary>
    (List<ContainerRecord> Records, List<string> OrphanDirs) LoadAll();

    void Delete(string id);
}
