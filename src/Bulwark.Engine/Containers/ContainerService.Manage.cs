using System.Globalization;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Containers;

/// <summary>pause/unpause (cgroup freezer via the runtime), rename, top, prune.</summary>
public sealed partial class ContainerService
{
    public async Task PauseAsync(string reference, CancellationToken ct)
    {
        var entry = Find(reference);
        var r = entry.Record;
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (r.State == ContainerState.Paused)
            {
                throw EngineException.Conflict($"Container {r.Id} is already paused");
            }
            if (r.State != ContainerState.Running)
            {
                throw EngineException.Conflict($"Container {r.Id} is not running");
            }
            await _runtime.PauseAsync(r.Id, ct).ConfigureAwait(false);
            r.State = ContainerState.Paused;
            _store.Save(r);
        }
        finally
        {
            entry.Gate.Release();
        }
        Publish(r, "pause");
    }

    public async Task UnpauseAsync(string reference, CancellationToken ct)
    {
        var entry = Find(reference);
        var r = entry.Record;
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (r.State != ContainerState.Paused)
            {
                throw EngineException.Conflict($"Container {r.Id} is not paused");
            }
            await _images.Trust.VerifyLocalImageAsync(null, _images.TryResolve(r.ImageId), "unpause", ct).ConfigureAwait(false);
            await _runtime.ResumeAsync(r.Id, ct).ConfigureAwait(false);
            r.State = ContainerState.Running;
            _store.Save(r);
        }
        finally
        {
            entry.Gate.Release();
        }
        Publish(r, "unpause");
    }

    /// <summary>A frozen process cannot act on signals: thaw it after signalling (stop/kill/rm -f of a paused container).</summary>
    private async Task ThawIfPausedAsync(ContainerRecord r, CancellationToken ct)
    {
        if (r.State != ContainerState.Paused)
        {
            return;
        }
        try
        {
            await _runtime.ResumeAsync(r.Id, ct).ConfigureAwait(false);
            r.State = ContainerState.Running;
        }
        catch (EngineException ex)
        {
            LogKillFailed(_logger, r.Id, ex.Message);
        }
    }

    public async Task RenameAsync(string reference, string newName, CancellationToken ct)
    {
        var entry = Find(reference);
        var r = entry.Record;
        string name = ValidateName(newName);
        if (name == r.Name)
        {
            throw EngineException.Invalid($"Renaming a container with the same name as its current name");
        }
        ReserveName(name, r.Id);
        string old = r.Name;
        r.Name = name;
        _store.Save(r);
        ReleaseName(old, r.Id);
        Publish(r, "rename", ("oldName", "/" + old));
        if (IsUserNetwork(r.Spec.Network.Mode))
        {
            await _networks.RenameEndpointsAsync(r.Id, name, ct).ConfigureAwait(false);
            RefreshHosts(_networks.EndpointsOf(r.Id).Select(x => x.Network.Id).ToList(), exceptContainer: null);
        }
    }

    /// <summary>The pids in the container's cgroup (pids controller; v1 or v2 layout).</summary>
    public IReadOnlySet<int> ProcessIds(string reference)
    {
        var r = Find(reference).Record;
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            throw EngineException.Conflict($"Container {r.Id} is not running");
        }
        string[] candidates =
        [
            Path.Combine("/sys/fs/cgroup/pids", _options.CgroupParent, r.Id, "cgroup.procs"),
            Path.Combine("/sys/fs/cgroup", _options.CgroupParent, r.Id, "cgroup.procs"),
        ];
        foreach (string c in candidates)
        {
            if (File.Exists(c))
            {
                return File.ReadAllLines(c).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToHashSet();
            }
        }
        return new HashSet<int> { r.Pid };
    }

    /// <summary>Removes every container that is not running; returns the removed ids.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(Func<ContainerRecord, bool> filter, CancellationToken ct)
    {
        var removed = new List<string>();
        foreach (var r in List())
        {
            if (r.State is ContainerState.Created or ContainerState.Exited or ContainerState.Dead && filter(r))
            {
                try
                {
                    await RemoveAsync(r.Id, force: false, removeVolumes: false, ct).ConfigureAwait(false);
                    removed.Add(r.Id);
                }
                catch (EngineException ex) when (ex.Kind is ErrorKind.Conflict or ErrorKind.NotFound)
                {
                }
            }
        }
        _events.Publish(new Events.EngineEvent("container", "prune", "", new Dictionary<string, string>
        {
            ["reclaimed"] = "0",
        }, DateTimeOffset.UtcNow));
        return removed;
    }

    /// <summary>Reads the container's cgroup counters; null when it is not running (no cgroup).</summary>
    public Stats.StatsSample? ReadStats(string reference)
    {
        var r = Find(reference).Record;
        return r.State is ContainerState.Running or ContainerState.Paused ? Stats.CgroupStatsReader.Read(CgroupsPath(r.Id)) : null;
    }

    /// <summary>Bytes written by the container (its overlay upper directory).</summary>
    public long SizeRw(string reference) => _snapshots.DiffSize(_store.DirectoryOf(Find(reference).Record.Id));
}
