using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Containers;

/// <summary>
/// Every known container: its handle by id, its name, lookup by id, name or unique id prefix, and the record store
/// that persists records. Names are reserved before a create does any work and released when it fails or the
/// container goes.
/// </summary>
internal sealed partial class ContainerIndex(IContainerRecordStore store)
{
    private readonly ConcurrentDictionary<string, ContainerHandle> _handles = new(StringComparer.Ordinal);
    private readonly Lock _namesLock = new();
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public IContainerRecordStore Store { get; } = store;

    public IEnumerable<ContainerHandle> Handles => _handles.Values;

    public ICollection<string> Ids => _handles.Keys;

    public IReadOnlyList<ContainerRecord> List() => [.. _handles.Values.Select(e => e.Record).OrderByDescending(r => r.Created)];

    public bool Contains(string id) => _handles.ContainsKey(id);

    public bool TryGet(string id, out ContainerHandle handle) => _handles.TryGetValue(id, out handle!);

    /// <summary>Finds a container by full id, name (with or without '/'), or unique id prefix.</summary>
    public ContainerHandle Find(string reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw EngineException.NotFound("No such container: " + reference);
        }
        if (_handles.TryGetValue(reference, out var byId))
        {
            return byId;
        }
        string name = reference.TrimStart('/');
        lock (_namesLock)
        {
            if (_names.TryGetValue(name, out string? id) && _handles.TryGetValue(id, out var byName))
            {
                return byName;
            }
        }
        var matches = _handles.Values.Where(e => e.Record.Id.StartsWith(reference, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw EngineException.NotFound("No such container: " + reference),
            _ => throw EngineException.Invalid("multiple IDs found with provided prefix: " + reference),
        };
    }

    /// <summary>Adds a handle whose name was reserved (create) or is taken from its record (start-up).</summary>
    public ContainerHandle Add(ContainerRecord record)
    {
        var handle = new ContainerHandle(record);
        _handles[record.Id] = handle;
        lock (_namesLock)
        {
            _names[record.Name] = record.Id;
        }
        return handle;
    }

    /// <summary>Drops the container: its name is free again and late writers see the handle as forgotten.</summary>
    public void Remove(ContainerHandle handle)
    {
        handle.Forget();
        _handles.TryRemove(handle.Id, out _);
        ReleaseName(handle.Record.Name, handle.Id);
    }

    /// <summary>Persists the record unless the container was removed meanwhile (never recreates a removed directory).</summary>
    public void Save(ContainerHandle handle, bool durable = true)
    {
        if (handle.Forgotten)
        {
            return;
        }
        if (durable)
        {
            Store.Save(handle.Record);
        }
        else
        {
            Store.SaveRunState(handle.Record);
        }
    }

    /// <summary>Whether a container record mounts <paramref name="layerDir"/> (a layer snapshot or a shifted copy of one).</summary>
    public bool IsLayerDirInUse(string layerDir) =>
        _handles.Values.Any(e => e.Record.LayerDirs.Contains(layerDir, StringComparer.Ordinal));

    public bool IsImageInUse(string imageId, out string? containerId)
    {
        containerId = _handles.Values.FirstOrDefault(e => e.Record.ImageId == imageId)?.Record.Id;
        return containerId is not null;
    }

    // ---------------------------------------------------------------- names

    [GeneratedRegex(@"\A/?[a-zA-Z0-9][a-zA-Z0-9_.-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string ValidateName(string name)
    {
        if (!ValidName().IsMatch(name))
        {
            throw EngineException.Invalid($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.TrimStart('/');
    }

    public string GenerateName(string id)
    {
        string[] adjectives = ["brave", "calm", "eager", "fierce", "gentle", "jolly", "keen", "lucid", "quiet", "sturdy", "vigilant", "wary"];
        string[] nouns = ["bastion", "citadel", "keep", "rampart", "redoubt", "tower", "parapet", "moat", "barbican", "bulwark"];
        for (int i = 0; ; i++)
        {
            string candidate = adjectives[RandomNumberGenerator.GetInt32(adjectives.Length)] + "_" + nouns[RandomNumberGenerator.GetInt32(nouns.Length)];
            if (i > 5)
            {
                candidate += "_" + id[..6];
            }
            lock (_namesLock)
            {
                if (!_names.ContainsKey(candidate))
                {
                    return candidate;
                }
            }
        }
    }

    public void ReserveName(string name, string id)
    {
        lock (_namesLock)
        {
            if (_names.TryGetValue(name, out string? owner))
            {
                throw EngineException.Conflict(
                    $"Conflict. The container name \"/{name}\" is already in use by container \"{owner}\". " +
                    "You have to remove (or rename) that container to be able to reuse that name.");
            }
            _names[name] = id;
        }
    }

    public void ReleaseName(string name, string id)
    {
        lock (_namesLock)
        {
            if (_names.TryGetValue(name, out string? owner) && owner == id)
            {
                _names.Remove(name);
            }
        }
    }

    /// <summary>Renames: the new name is reserved first (a conflict changes nothing), the record saved, the old name freed.</summary>
    public void Rename(ContainerHandle handle, string newName)
    {
        var r = handle.Record;
        ReserveName(newName, r.Id);
        string old = r.Name;
        r.Name = newName;
        Save(handle);
        ReleaseName(old, r.Id);
    }
}
