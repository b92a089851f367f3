using System.Security.Cryptography;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Security.UserNamespaces;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Volumes;

/// <summary>
/// Docker's <c>local</c> volume driver: named and anonymous volumes under <c>&lt;data-root&gt;/volumes</c>, the
/// references containers hold on them (kept here, under the same lock as removal, so a volume cannot be removed
/// between a container's create and its record), prune, usage, and the volume events.
/// </summary>
public sealed partial class VolumeService
{
    public const string LocalDriver = "local";

    /// <summary>The label Docker (23+) puts on anonymous volumes; prune at API ≥ 1.42 removes only those unless all=true.</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    private readonly VolumeStore _store;
    private readonly IdMapping? _shiftedByOlderVersions;
    private readonly EventBus _events;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, VolumeRecord> _volumes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _refs = new(StringComparer.Ordinal);

    /// <param name="userNamespace">The shared range volumes are stored shifted into (the fallback without idmapped
    /// mounts); null when volumes hold container ids and are mounted idmapped (or without user namespaces).</param>
    /// <param name="shiftedByOlderVersions">With idmapped volumes: the shared range older versions shifted volumes
    /// into; such a volume is converted to container ids once, at its first use (see <see cref="VolumeStore.Unshift"/>).</param>
    public VolumeService(string dataRoot, IdMapping? userNamespace, EventBus events, ILogger<VolumeService> logger,
        IdMapping? shiftedByOlderVersions = null)
    {
        _store = new VolumeStore(dataRoot, userNamespace);
        _shiftedByOlderVersions = userNamespace is null ? shiftedByOlderVersions : null;
        _events = events;
        _logger = logger;
        foreach (string leftover in _store.RemoveLeftovers())
        {
            LogLeftoverRemoved(_logger, leftover);
        }

        var (records, unreadable) = _store.LoadAll();
        foreach (var r in records)
        {
            _volumes[r.Name] = r;
        }

        foreach (string name in unreadable)
        {
            LogUnreadable(_logger, name);
        }
    }

    /// <summary><c>&lt;data-root&gt;/volumes</c>.</summary>
    public string Root => _store.Root;

    // ---------------------------------------------------------------- volume API

    /// <summary>Creates a volume, or returns the existing one of that name (Docker's create is idempotent).
    /// No name = a new anonymous volume with a random 64-hex name.</summary>
    public VolumeInfo Create(string? name, string? driver, IReadOnlyDictionary<string, string>? options,
        IReadOnlyDictionary<string, string>? labels)
    {
        CheckDriver(driver, options, name ?? "");
        bool anonymous = string.IsNullOrEmpty(name);
        string actual = anonymous ? NewName() : VolumeName.Validate(name!);
        lock (_lock)
        {
            var record = _volumes.TryGetValue(actual, out var existing) ? existing : CreateLocked(actual, anonymous, labels);
            return InfoLocked(record);
        }
    }

    public VolumeInfo Get(string name)
    {
        lock (_lock)
        {
            return _volumes.TryGetValue(name, out var r) ? InfoLocked(r) : throw NotFound(name);
        }
    }

    public IReadOnlyList<VolumeInfo> List()
    {
        lock (_lock)
        {
            return [.. _volumes.Values.OrderBy(v => v.Name, StringComparer.Ordinal).Select(InfoLocked)];
        }
    }

    /// <summary>Removes an unused volume. In use by any container (running or not): 409 naming them, force or not;
    /// unknown: 404, or nothing with <paramref name="force"/>.</summary>
    public void Remove(string name, bool force)
    {
        string trash;
        lock (_lock)
        {
            if (!_volumes.ContainsKey(name))
            {
                if (force)
                {
                    return;
                }

                throw NotFound(name);
            }

            if (_refs.TryGetValue(name, out var users) && users.Count > 0)
            {
                throw EngineException.Conflict($"remove {name}: volume is in use - [{string.Join(", ", users.Order(StringComparer.Ordinal))}]");
            }

            trash = _store.Detach(name);
            _volumes.Remove(name);
            _refs.Remove(name);
        }

        PurgeQuietly(trash);
        Publish(name, "destroy");
    }

    /// <summary>Removes unused volumes: only anonymous ones unless <paramref name="all"/>, and only those
    /// <paramref name="selected"/> accepts (label filters). Returns the names and the bytes freed.</summary>
    public (IReadOnlyList<string> Deleted, long SpaceReclaimed) Prune(bool all, Func<VolumeRecord, bool> selected, CancellationToken ct)
    {
        var deleted = new List<string>();
        long reclaimed = 0;
        List<VolumeRecord> candidates;
        lock (_lock)
        {
            candidates = [.. _volumes.Values.Where(v => (all || v.Anonymous) && !InUseLocked(v.Name) && selected(v))];
        }

        foreach (var v in candidates)
        {
            ct.ThrowIfCancellationRequested();
            long size = SizeOf(v.Name);
            string trash;
            lock (_lock)
            {
                if (!_volumes.ContainsKey(v.Name) || InUseLocked(v.Name))
                {
                    continue; // taken by a container (or removed) since we looked
                }

                trash = _store.Detach(v.Name);
                _volumes.Remove(v.Name);
                _refs.Remove(v.Name);
            }

            PurgeQuietly(trash);
            Publish(v.Name, "destroy");
            deleted.Add(v.Name);
            reclaimed += size;
        }

        _events.Publish(new EngineEvent("volume", "prune", "", new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reclaimed"] = reclaimed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, DateTimeOffset.UtcNow));
        return (deleted, reclaimed);
    }

    /// <summary>Bytes used by the volume's data (for <c>system df</c>); 0 when it is gone.</summary>
    public long SizeOf(string name)
    {
        try
        {
            return _store.SizeOf(name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Native.ErrnoException)
        {
            LogSizeFailed(_logger, name, ex.Message);
            return 0;
        }
    }

    // ---------------------------------------------------------------- containers

    /// <summary>
    /// Resolves a container's volume mounts at create: named volumes are created on demand, anonymous ones are made
    /// for it; each gets a reference from <paramref name="containerId"/>. All or nothing: on failure the references
    /// are dropped and the volumes made here removed.
    /// </summary>
    public IReadOnlyList<VolumeAttachment> Attach(string containerId, IReadOnlyList<VolumeMountSpec> mounts)
    {
        var attached = new List<VolumeAttachment>();
        var created = new List<string>();
        var published = new List<string>();
        lock (_lock)
        {
            try
            {
                foreach (var m in mounts)
                {
                    string name = m.Name is null ? NewName() : VolumeName.Validate(m.Name);
                    if (!_volumes.TryGetValue(name, out var record))
                    {
                        record = CreateLocked(name, m.Name is null, m.Labels, publish: false);
                        created.Add(name);
                    }
                    else
                    {
                        _store.AdoptIfEmpty(name);
                        record = UnshiftIfOldLocked(record);
                    }

                    Reference(name, containerId);
                    attached.Add(new VolumeAttachment(name, _store.DataPath(name), m.Destination, m.ReadOnly, m.NoCopy, record.Anonymous, m.Mode));
                }
            }
            catch
            {
                foreach (var a in attached)
                {
                    Unreference(a.Name, containerId);
                }

                foreach (string name in created)
                {
                    if (!InUseLocked(name))
                    {
                        PurgeQuietly(_store.Detach(name));
                        _volumes.Remove(name);
                    }
                }

                throw;
            }

            published.AddRange(created);
        }

        foreach (string name in published)
        {
            Publish(name, "create");
        }

        return attached;
    }

    /// <summary>Re-registers a restored container's references (daemon start).</summary>
    public void Restore(string containerId, IReadOnlyList<VolumeAttachment> attachments)
    {
        lock (_lock)
        {
            foreach (var a in attachments)
            {
                if (!_volumes.ContainsKey(a.Name))
                {
                    LogMissing(_logger, a.Name, containerId);
                }

                Reference(a.Name, containerId);
            }
        }
    }

    /// <summary>Drops the container's references; with <paramref name="removeAnonymous"/> its anonymous volumes that no
    /// other container uses are removed too (<c>rm -v</c>, <c>--rm</c>). Named volumes always stay.</summary>
    public void Detach(string containerId, IReadOnlyList<VolumeAttachment> attachments, bool removeAnonymous)
    {
        var purge = new List<(string Name, string Trash)>();
        lock (_lock)
        {
            foreach (var a in attachments)
            {
                Unreference(a.Name, containerId);
            }

            if (removeAnonymous)
            {
                foreach (var a in attachments.Where(a => a.Anonymous).DistinctBy(a => a.Name))
                {
                    if (_volumes.TryGetValue(a.Name, out var r) && r.Anonymous && !InUseLocked(a.Name))
                    {
                        try
                        {
                            purge.Add((a.Name, _store.Detach(a.Name)));
                            _volumes.Remove(a.Name);
                            _refs.Remove(a.Name);
                        }
                        catch (IOException ex)
                        {
                            LogRemoveFailed(_logger, a.Name, ex.Message);
                        }
                    }
                }
            }
        }

        foreach (var (name, trash) in purge)
        {
            PurgeQuietly(trash);
            Publish(name, "destroy");
        }
    }

    public void PublishMount(string containerId, VolumeAttachment a) => Publish(a.Name, "mount",
        ("container", containerId), ("destination", a.Destination), ("propagation", ""),
        ("read/write", a.ReadOnly ? "false" : "true"));

    public void PublishUnmount(string containerId, VolumeAttachment a) => Publish(a.Name, "unmount", ("container", containerId));

    // ---------------------------------------------------------------- internals

    private VolumeRecord CreateLocked(string name, bool anonymous, IReadOnlyDictionary<string, string>? labels, bool publish = true)
    {
        var allLabels = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        if (anonymous)
        {
            allLabels[AnonymousLabel] = "";
        }

        var record = new VolumeRecord
        {
            Name = name, CreatedAt = DateTimeOffset.UtcNow, Labels = allLabels, Anonymous = anonymous, OwnersUnshifted = _store.StoresUnshifted,
        };
        if (!_store.TryCreate(record))
        {
            throw EngineException.Conflict($"create {name}: a directory of that name exists under {_store.Root} without volume metadata");
        }

        _volumes[name] = record;
        if (publish)
        {
            Publish(name, "create");
        }

        return record;
    }

    /// <summary>
    /// A volume of an older version (no <see cref="VolumeRecord.OwnersUnshifted"/>) holds owners shifted into the shared
    /// range, which read as unmapped ids through an idmapped mount: converted once, before its first idmapped use.
    /// A volume another container still uses (a container of the older version) is left as it is until it is free.
    /// </summary>
    private VolumeRecord UnshiftIfOldLocked(VolumeRecord record)
    {
        if (record.OwnersUnshifted || _shiftedByOlderVersions is not { } shifted)
        {
            return record;
        }

        if (InUseLocked(record.Name))
        {
            LogUnshiftDeferred(_logger, record.Name, shifted.Describe());
            return record;
        }

        var (updated, changed) = _store.Unshift(record, shifted, CancellationToken.None);
        _volumes[record.Name] = updated;
        LogUnshifted(_logger, record.Name, shifted.Describe(), changed);
        return updated;
    }

    private VolumeInfo InfoLocked(VolumeRecord r) =>
        new(r, _store.DataPath(r.Name), _refs.TryGetValue(r.Name, out var users) ? [.. users.Order(StringComparer.Ordinal)] : []);

    private bool InUseLocked(string name) => _refs.TryGetValue(name, out var users) && users.Count > 0;

    private void Reference(string name, string containerId)
    {
        if (!_refs.TryGetValue(name, out var users))
        {
            _refs[name] = users = new HashSet<string>(StringComparer.Ordinal);
        }

        users.Add(containerId);
    }

    private void Unreference(string name, string containerId)
    {
        if (_refs.TryGetValue(name, out var users))
        {
            users.Remove(containerId);
            if (users.Count == 0)
            {
                _refs.Remove(name);
            }
        }
    }

    private void PurgeQuietly(string trash)
    {
        try
        {
            _store.Purge(trash);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Native.ErrnoException)
        {
            // The volume is already out of its name; the next daemon start removes the rest.
            LogRemoveFailed(_logger, trash, ex.Message);
        }
    }

    private static void CheckDriver(string? driver, IReadOnlyDictionary<string, string>? options, string name)
    {
        if (driver is { Length: > 0 } d && d != LocalDriver)
        {
            throw EngineException.Invalid($"create {name}: volume driver \"{d}\" is not supported: bulwark has only the \"local\" driver");
        }

        if (options is { Count: > 0 })
        {
            string keys = string.Join(", ", options.Keys.Order(StringComparer.Ordinal));
            throw EngineException.Invalid(
                $"create {name}: local volume driver option(s) {keys} not supported: bulwark's local driver takes no options " +
                "(type=tmpfs and o=bind volumes are not implemented; use --tmpfs or a bind mount)");
        }
    }

    private static EngineException NotFound(string name) => EngineException.NotFound($"get {name}: no such volume");

    private static string NewName() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private void Publish(string name, string action, params (string Key, string Value)[] extra)
    {
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal) { ["driver"] = LocalDriver };
        foreach (var (k, v) in extra)
        {
            attrs[k] = v;
        }

        _events.Publish(new EngineEvent("volume", action, name, attrs, DateTimeOffset.UtcNow));
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "removed the volume leftover {Name} of an interrupted create or remove")]
    private static partial void LogLeftoverRemoved(ILogger logger, string name);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "volume directory {Name} has no readable metadata; it is not listed and was left in place")]
    private static partial void LogUnreadable(ILogger logger, string name);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "volume {Name} referenced by container {ContainerId} does not exist")]
    private static partial void LogMissing(ILogger logger, string name, string containerId);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "removing volume {Name} failed: {Reason}")]
    private static partial void LogRemoveFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 705, Level = LogLevel.Information,
        Message = "volume {Name}: owners stored shifted into {Range} by an older version converted to container ids ({Changed} entries), once, for idmapped mounts")]
    private static partial void LogUnshifted(ILogger logger, string name, string range, int changed);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning,
        Message = "volume {Name}: owners are still shifted into {Range} (an older version's layout) and another container uses it; it is converted when no container does")]
    private static partial void LogUnshiftDeferred(ILogger logger, string name, string range);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "measuring volume {Name} failed: {Reason}")]
    private static partial void LogSizeFailed(ILogger logger, string name, string reason);
}
