using Bulwark.Engine.Containers.Networking;
using Bulwark.Engine.Containers.Tasks;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Snapshots;
using Bulwark.Engine.Volumes;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Removal;

/// <summary>
/// Removes containers: whatever the record says, nothing of the container may keep running (the runtime's own state
/// decides), then networks, snapshot, monitor state, record and name go, and the volumes are detached.
/// </summary>
internal sealed class ContainerRemover(
    ContainerIndex index,
    ContainerLayout layout,
    ContainerControl control,
    IContainerRuntime runtime,
    ContainerNetworking networking,
    SnapshotService snapshots,
    VolumeService volumes,
    ContainerEvents events,
    Secrets.ContainerSecrets secrets,
    ILogger logger)
{
    /// <summary>Removes a container; with <paramref name="removeVolumes"/> (<c>rm -v</c>) its anonymous volumes that no other
    /// container uses go too. Named volumes always stay.</summary>
    public Task RemoveAsync(string reference, bool force, bool removeVolumes, CancellationToken ct) =>
        RemoveAsync(index.Find(reference), force, removeVolumes, ct);

    public async Task RemoveAsync(ContainerHandle entry, bool force, bool removeVolumes, CancellationToken ct)
    {
        var r = entry.Record;
        while (true)
        {
            if (r.State is ContainerState.Running or ContainerState.Paused)
            {
                if (!force)
                {
                    throw EngineException.Conflict(
                        $"You cannot remove a running container {r.Id}. Stop the container before attempting removal or force remove");
                }
                await control.KillAndWaitAsync(entry, ct).ConfigureAwait(false);
            }
            using (await entry.LockAsync(ct).ConfigureAwait(false))
            {
                if (entry.Forgotten)
                {
                    throw EngineException.NotFound("No such container: " + r.Id);
                }
                if (r.State is ContainerState.Running or ContainerState.Paused)
                {
                    continue; // started while we waited for the gate: kill that run first
                }
                if (r.State == ContainerState.Restarting && !force)
                {
                    // dockerd's wording: clients match it to tell "stop it first" from other conflicts.
                    throw EngineException.Conflict(
                        $"You cannot remove a restarting container {r.Id}. Stop the container before attempting removal or force remove");
                }
                r.ManuallyStopped = true; // a pending restart sees this (or Removing) and does not start it
                r.State = ContainerState.Removing;
                await EnsureNothingRunsAsync(entry, ct).ConfigureAwait(false);
                await networking.ReleaseNetworksAsync(r.Id).ConfigureAwait(false);
                secrets.Release(r.Id);
                // The record goes first: from here on the directory is an orphan, which a daemon start removes should
                // this one stop before RemoveFiles below has.
                index.Store.DeleteRecord(r.Id);
                index.Remove(entry);
                volumes.Detach(r.Id, r.Volumes, removeVolumes);
                break;
            }
        }
        events.Publish(r, "destroy");
        // Waiters (`run --rm`, `wait --condition removed`) are released now: the container is gone from every list and its
        // name is free. Its files follow (an unmount can wait for an RCU grace period, tens of ms on a busy host).
        entry.SignalRemoved(r.ExitCode);
        RemoveFiles(r.Id);
    }

    /// <summary>
    /// The removed container's files: rootfs unmounted, writable layer, monitor state and directory deleted. A failure is
    /// logged; the directory stays an orphan without a record, which the next daemon start removes.
    /// </summary>
    private void RemoveFiles(string id)
    {
        string dir = layout.DirectoryOf(id);
        try
        {
            snapshots.Remove(dir);
            DeleteDirectory(layout.StateDir(id));
            DeleteDirectory(dir);
        }
        catch (Exception ex) when (ex is EngineException or IOException or UnauthorizedAccessException)
        {
            ContainerLog.CleanupFailed(logger, id, ex.Message);
        }
    }

    /// <summary>
    /// The runtime may know the container although no monitor of ours tracks it (a daemon killed between the
    /// monitor's start and the record's update): such a process is killed and its runtime state deleted. A monitor we
    /// track that is still finishing its own `runc delete` is left to it.
    /// </summary>
    private async Task EnsureNothingRunsAsync(ContainerHandle entry, CancellationToken ct)
    {
        if (!entry.MonitorGone.IsCompleted || !runtime.Knows(entry.Id))
        {
            return;
        }
        try
        {
            await runtime.DeleteAsync(entry.Id, force: true, ct).ConfigureAwait(false);
        }
        catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            // Deleted meanwhile by its monitor.
        }
    }

    /// <summary>--rm: removal after the exit, with the container's anonymous volumes (Docker's behaviour).</summary>
    public async Task RemoveAfterExitAsync(ContainerHandle entry)
    {
        try
        {
            await RemoveAsync(entry, force: true, removeVolumes: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            // Already removed by a concurrent `rm -f`: that is the outcome --rm wanted.
        }
        catch (Exception ex)
        {
            ContainerLog.CleanupFailed(logger, entry.Id, ex.Message);
        }
    }

    /// <summary>Removes every container that is not running and passes the filter; returns the removed ids and the bytes
    /// their writable layers held (Docker's SpaceReclaimed).</summary>
    public async Task<ContainerPruneResult> PruneAsync(Func<ContainerRecord, bool> filter, CancellationToken ct)
    {
        var removed = new List<string>();
        long reclaimed = 0;
        foreach (var r in index.List())
        {
            if (r.State is ContainerState.Created or ContainerState.Exited or ContainerState.Dead && filter(r))
            {
                try
                {
                    long size = snapshots.DiffSize(layout.DirectoryOf(r.Id));
                    await RemoveAsync(r.Id, force: false, removeVolumes: false, ct).ConfigureAwait(false);
                    removed.Add(r.Id);
                    reclaimed += size;
                }
                catch (EngineException ex) when (ex.Kind is ErrorKind.Conflict or ErrorKind.NotFound)
                {
                }
            }
        }
        events.PublishGlobal("prune", new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new ContainerPruneResult(removed, reclaimed);
    }

    private void DeleteDirectory(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ContainerLog.CleanupFailed(logger, dir, ex.Message);
        }
    }
}
