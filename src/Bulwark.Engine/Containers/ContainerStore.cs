using System.Text.Json;

namespace Bulwark.Engine.Containers;

/// <summary>
/// Container records as one JSON file per container, replaced atomically (temp, fsync, rename) so a crash leaves
/// either the old or the new record, never half of one.
/// </summary>
internal sealed class ContainerStore : IContainerRecordStore
{
    private const string RecordFile = "container.json";
    private readonly string _root;

    public ContainerStore(string dataRoot)
    {
        _root = System.IO.Path.Combine(dataRoot, "containers");
        Directory.CreateDirectory(_root);
    }

    public string DirectoryOf(string id) => System.IO.Path.Combine(_root, id);

    /// <summary>
    /// Replaces the record atomically (temp file, rename). <paramref name="durable"/> adds an fsync before the rename:
    /// needed where a power loss must not lose the change (create, rename, settings); run-state transitions
    /// (started, exited, health) skip it — after a power loss no container runs anyway, and a daemon crash alone
    /// never loses page-cache writes. It keeps ~4 ms of disk flush per transition off `docker run`'s path.
    /// </summary>
    public void Save(ContainerRecord record, bool durable = true)
    {
        string dir = DirectoryOf(record.Id);
        Directory.CreateDirectory(dir);
        string tmp = System.IO.Path.Combine(dir, RecordFile + ".tmp");
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(fs, record, ContainerJsonContext.Default.ContainerRecord);
            fs.Flush(flushToDisk: durable);
        }
        File.Move(tmp, System.IO.Path.Combine(dir, RecordFile), overwrite: true);
    }

    /// <summary>Loads every complete record; directories without one (a crash during create) are returned as orphans.</summary>
    public (List<ContainerRecord> Records, List<string> OrphanDirs) LoadAll()
    {
        var records = new List<ContainerRecord>();
        var orphans = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories(_root))
        {
            string file = System.IO.Path.Combine(dir, RecordFile);
            if (!File.Exists(file))
            {
                orphans.Add(dir);
                continue;
            }
            try
            {
                using var fs = File.OpenRead(file);
                var record = JsonSerializer.Deserialize(fs, ContainerJsonContext.Default.ContainerRecord);
                if (record is not null)
                {
                    records.Add(record);
                }
            }
            catch (JsonException)
            {
                orphans.Add(dir);
            }
        }
        return (records, orphans);
    }

    public void Delete(string id)
    {
        string dir = DirectoryOf(id);
        if (Directory.Exists(dir))
        {
            // The record goes first: a crash mid-delete leaves an orphan directory, which startup removes.
            File.Delete(System.IO.Path.Combine(dir, RecordFile));
            Directory.Delete(dir, recursive: true);
        }
    }
}
