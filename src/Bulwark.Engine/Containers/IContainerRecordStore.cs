namespace Bulwark.Engine.Containers;

/// <summary>Where container records live: one directory per container holding its record, bundle and logs.</summary>
internal interface IContainerRecordStore
{
    string DirectoryOf(string id);

    /// <summary>Replaces the record atomically and durably (fsync before the rename); a failure (disk full) throws.</summary>
    void Save(ContainerRecord record);

    /// <summary>Replaces the record atomically without the fsync; a failure (disk full) throws. For records that a
    /// power loss may lose (a --rm container: startup removes its directory, which is what --rm wanted).</summary>
    void SaveWithoutFlush(ContainerRecord record);

    /// <summary>A run-state transition (started, exited, health): no fsync, and a failed write (disk full) is logged
    /// and reported as false instead of thrown, so the exit is still signalled.</summary>
    bool SaveRunState(ContainerRecord record);

    /// <summary>Every complete record, and the directories without one (a crash during create or removal).</summary>
    (List<ContainerRecord> Records, List<string> OrphanDirs) LoadAll();

    /// <summary>Deletes the record only: the directory becomes an orphan, removed by the remover right after (or at the
    /// next start, should the daemon stop first).</summary>
    void DeleteRecord(string id);
}
