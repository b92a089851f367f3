using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Metadata;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers;

/// <summary>
/// Container records as one JSON file per container, replaced atomically (temp, fsync, rename) so a crash leaves
/// either the old or the new record, never half of one. A write that fails (a full disk) removes its temp file and
/// leaves the previous record in place.
/// </summary>
internal sealed partial class ContainerStore : IContainerRecordStore
{
    private const string RecordFile = "container.json";
    private readonly string _root;
    private readonly string _unreadableRoot;
    private readonly ILogger _logger;

    public ContainerStore(string dataRoot, ILogger logger)
    {
        _root = System.IO.Path.Combine(dataRoot, "containers");
        _unreadableRoot = System.IO.Path.Combine(dataRoot, "unreadable", "containers");
        _logger = logger;
        Directory.CreateDirectory(_root);
    }

    public string DirectoryOf(string id) => System.IO.Path.Combine(_root, id);

    /// <summary>
    /// Replaces the record atomically (temp file, fsync, rename): for changes a power loss must not lose (create,
    /// rename, settings). On a full disk it throws the <see cref="DiskFull"/> error and the old record stays.
    /// </summary>
    public void Save(ContainerRecord record) => Write(record, durable: true);

    /// <summary>Replaces the record atomically without the fsync (a --rm container's create: see the interface).</summary>
    public void SaveWithoutFlush(ContainerRecord record) => Write(record, durable: false);

    /// <summary>
    /// Saves a run-state transition (started, exited, health) without the fsync: after a power loss no container
    /// runs anyway, and a daemon crash alone never loses page-cache writes; it keeps ~4 ms of disk flush per
    /// transition off `docker run`'s path. On a full disk the transition is not persisted — the old record stays
    /// whole, the in-memory state goes on (so a stop, kill or rm never waits on the disk), the next save of the
    /// container writes it all, and after a daemon restart the monitor's exit file supplies the exit. Returns false
    /// then.
    /// </summary>
    public bool SaveRunState(ContainerRecord record)
    {
        try
        {
            Write(record, durable: false);
            return true;
        }
        catch (EngineException ex) when (DiskFull.Is(ex))
        {
            LogRunStateNotSaved(_logger, record.Id, record.State.ToString(), ex.Message);
            return false;
        }
    }

    private void Write(ContainerRecord record, bool durable)
    {
        string dir = DirectoryOf(record.Id);
        Directory.CreateDirectory(dir);
        AtomicFile.Write(System.IO.Path.Combine(dir, RecordFile),
            s => JsonSerializer.Serialize(s, record, ContainerJsonContext.Default.ContainerRecord), durable);
    }

    /// <summary>Loads every complete record; directories without one (a crash during create) are returned as orphans.</summary>
    public (List<ContainerRecord> Records, List<string> OrphanDirs) LoadAll()
    {
        var records = new List<ContainerRecord>();
        var orphans = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories(_root))
        {
            string file = System.IO.Path.Combine(dir, RecordFile);
            AtomicFile.RemoveLeftover(file);
            if (!File.Exists(file))
            {
                orphans.Add(dir);
                continue;
            }
            ContainerRecord? record = null;
            try
            {
                using var fs = File.OpenRead(file);
                record = JsonSerializer.Deserialize(fs, ContainerJsonContext.Default.ContainerRecord);
            }
            catch (JsonException)
            {
            }

            if (record is not null && record.Id == System.IO.Path.GetFileName(dir))
            {
                records.Add(record);
                continue;
            }

            // Not a record this daemon can use: its bytes are kept aside for the operator (nothing stored is lost),
            // then the directory is cleaned up like a half-created one (mounts, processes and state go at reconcile).
            SetAside(file);
            orphans.Add(dir);
        }
        return (records, orphans);
    }

    /// <summary>Copies an unreadable record to &lt;data-root&gt;/unreadable/containers/&lt;id&gt;-&lt;time&gt;.json.</summary>
    private void SetAside(string file)
    {
        string id = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(file)!);
        string target = System.IO.Path.Combine(_unreadableRoot,
            $"{id}-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}.json");
        try
        {
            Directory.CreateDirectory(_unreadableRoot);
            File.Copy(file, target, overwrite: true);
            LogRecordSetAside(_logger, id, target);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRecordNotSetAside(_logger, id, ex.Message);
        }
    }

    public void DeleteRecord(string id)
    {
        string record = System.IO.Path.Combine(DirectoryOf(id), RecordFile);
        if (File.Exists(record))
        {
            File.Delete(record);
        }
    }

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning,
        Message = "container {Id}: its record does not parse; the bytes are kept at {Path} and the container is cleaned up")]
    private static partial void LogRecordSetAside(ILogger logger, string id, string path);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Error,
        Message = "container {Id}: its record does not parse and could not be kept aside: {Reason}")]
    private static partial void LogRecordNotSetAside(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning,
        Message = "container {Id}: state {State} kept in memory only, its record could not be saved: {Reason}")]
    private static partial void LogRunStateNotSaved(ILogger logger, string id, string state, string reason);
}
