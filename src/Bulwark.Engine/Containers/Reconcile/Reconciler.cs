using Bulwark.Engine.Containers.Create;
using Bulwark.Engine.Containers.Networking;
using Bulwark.Engine.Containers.Removal;
using Bulwark.Engine.Containers.Restart;
using Bulwark.Engine.Containers.Tasks;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Runtime.Monitor;
using Bulwark.Engine.Snapshots;
using Bulwark.Engine.Volumes;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Reconcile;

/// <summary>
/// Daemon start-up: makes the records agree with reality. Every record ends tracked (its monitor re-attached),
/// exited (its exit recorded) or removed; every runtime state, monitor, state directory, cgroup and container
/// directory without a record is killed or removed and logged. Runs before the API serves.
/// </summary>
internal sealed class Reconciler(
    ContainerIndex index,
    ContainerLayout layout,
    IContainerRuntime runtime,
    IMonitorLauncher monitors,
    ContainerStarter starter,
    ContainerRemover remover,
    ContainerCreator creator,
    RestartManager restarts,
    ContainerNetworking networking,
    SnapshotService snapshots,
    VolumeService volumes,
    Secrets.ContainerSecrets secrets,
    ILogger logger)
{
    private ILookup<string, MonitorProcessInfo> _monitorsAtStart = Enumerable.Empty<MonitorProcessInfo>().ToLookup(m => m.ContainerId);

    public async Task ReconcileAsync(CancellationToken ct)
    {
        var (records, orphans) = index.Store.LoadAll();
        foreach (string dir in orphans)
        {
            ContainerLog.OrphanRemoved(logger, dir);
            creator.CleanupDirectory(dir);
        }
        // One /proc scan each for container and exec monitors: nothing new can start before the API serves.
        _monitorsAtStart = monitors.FindMonitors(layout.StateRoot).ToLookup(m => m.ContainerId, StringComparer.Ordinal);
        var execMonitors = monitors.FindMonitors(layout.ExecStateRoot);
        foreach (var r in records)
        {
            index.Add(r);
            volumes.Restore(r.Id, r.Volumes);
        }
        foreach (var entry in index.Handles.ToList())
        {
            await ReconcileOneAsync(entry, ct).ConfigureAwait(false);
        }
        await RemoveStraysAsync(execMonitors, ct).ConfigureAwait(false);
        await networking.ReconcileAsync().ConfigureAwait(false);
        secrets.ReleaseAllExcept(index.Handles.Where(h => h.Record.State is ContainerState.Running or ContainerState.Paused)
            .Select(h => h.Id).ToHashSet(StringComparer.Ordinal));
    }

    private async Task ReconcileOneAsync(ContainerHandle entry, CancellationToken ct)
    {
        var r = entry.Record;
        string stateDir = layout.StateDir(r.Id);
        IMonitorSession? session = r.State == ContainerState.Removing ? null
            : await monitors.ConnectAsync(stateDir, ct).ConfigureAwait(false);
        if (session is null)
        {
            // A monitor that does not answer (one spawned just before the daemon died, still starting the runtime)
            // is stopped with everything it started before anything is decided: nothing may start behind our back.
            KillMonitorsOf(r.Id);
        }
        var exit = monitors.ReadExitFile(stateDir);
        var action = ReconcileDecision.Decide(r.State, session is not null, exit is not null, runtime.Knows(r.Id));
        switch (action)
        {
            case ReconcileAction.Reattach:
                starter.Reattach(entry, session!);
                break;
            case ReconcileAction.FinishRemoval:
                await remover.RemoveAsync(entry, force: true, removeVolumes: r.Spec.AutoRemove, ct).ConfigureAwait(false);
                break;
            case ReconcileAction.KillAndRecordExit:
                ContainerLog.UnmonitoredKilled(logger, r.Id);
                await DeleteRuntimeStateAsync(r.Id, ct).ConfigureAwait(false);
                await starter.RecordExitAsync(entry, exit ?? new ExitStatus(-1, false, DateTimeOffset.UtcNow)).ConfigureAwait(false);
                break;
            case ReconcileAction.RecordExit:
                await starter.RecordExitAsync(entry, exit ?? new ExitStatus(-1, false, DateTimeOffset.UtcNow)).ConfigureAwait(false);
                break;
            case ReconcileAction.DeleteRuntimeStateAndKeep:
                await DeleteRuntimeStateAsync(r.Id, ct).ConfigureAwait(false);
                KeepStopped(entry);
                break;
            default:
                KeepStopped(entry);
                break;
        }
    }

    /// <summary>A stopped container: its rootfs is unmounted unless it was only created (mounted at create), and
    /// "always" containers come back.</summary>
    private void KeepStopped(ContainerHandle entry)
    {
        if (entry.Record.State is ContainerState.Exited or ContainerState.Dead)
        {
            try
            {
                snapshots.Unmount(layout.DirectoryOf(entry.Id));
            }
            catch (Exception ex) when (ex is IOException or EngineException)
            {
                ContainerLog.CleanupFailed(logger, entry.Id, ex.Message);
            }
        }
        restarts.OnDaemonStart(entry);
    }

    /// <summary>
    /// Whatever has no record, or is not tracked after reconciling: container monitors and exec monitors are killed,
    /// the runtime's state of unknown ids is killed and deleted, stale state directories and empty cgroups removed.
    /// </summary>
    private async Task RemoveStraysAsync(IReadOnlyList<MonitorProcessInfo> execMonitors, CancellationToken ct)
    {
        var running = index.Handles.Where(h => h.Record.State is ContainerState.Running or ContainerState.Paused)
            .Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var m in _monitorsAtStart.Where(g => !index.Contains(g.Key)).SelectMany(g => g))
        {
            KillMonitor(m);
        }
        foreach (var m in execMonitors.Where(m => !running.Contains(m.ContainerId)))
        {
            KillMonitor(m);
        }
        foreach (string id in runtime.KnownIds().Where(id => !index.Contains(id)))
        {
            ContainerLog.UnknownRuntimeStateRemoved(logger, id);
            await DeleteRuntimeStateAsync(id, ct).ConfigureAwait(false);
        }
        RemoveStaleStateDirs(layout.StateRoot, id => running.Contains(id));
        var liveExecDirs = execMonitors.Where(m => running.Contains(m.ContainerId))
            .Select(m => Path.GetFileName(m.StateDir)).ToHashSet(StringComparer.Ordinal);
        RemoveStaleStateDirs(layout.ExecStateRoot, liveExecDirs.Contains);
        RemoveStaleCgroups(running);
    }

    private void KillMonitorsOf(string id)
    {
        foreach (var m in _monitorsAtStart[id])
        {
            KillMonitor(m);
        }
    }

    private void KillMonitor(MonitorProcessInfo m)
    {
        ContainerLog.StrayMonitorKilled(logger, m.Pid, m.ContainerId);
        try
        {
            // The monitor leads its own session and process group (setsid): the group takes the runtime it spawned.
            Native.ProcessSignals.Kill(-m.Pid, 9);
            Native.ProcessSignals.Kill(m.Pid, 9);
        }
        catch (IOException)
        {
            // Exited meanwhile.
        }
    }

    /// <summary>SIGKILL to everything in the container, then `delete --force` (which also removes its cgroup).</summary>
    private async Task DeleteRuntimeStateAsync(string id, CancellationToken ct)
    {
        try
        {
            await runtime.KillAsync(id, 9, ct, all: true).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            ContainerLog.KillFailed(logger, id, ex.Message); // not running any more: delete still applies
        }
        try
        {
            await runtime.DeleteAsync(id, force: true, ct).ConfigureAwait(false);
        }
        catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
        {
        }
    }

    private void RemoveStaleStateDirs(string root, Func<string, bool> keep)
    {
        if (!Directory.Exists(root))
        {
            return;
        }
        foreach (string dir in Directory.EnumerateDirectories(root))
        {
            if (keep(Path.GetFileName(dir)))
            {
                continue;
            }
            try
            {
                Directory.Delete(dir, recursive: true);
                ContainerLog.StaleStateRemoved(logger, dir);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                ContainerLog.CleanupFailed(logger, dir, ex.Message);
            }
        }
    }

    /// <summary>Container cgroups under this daemon's parent that no running container owns (rmdir: only empty ones go).</summary>
    private void RemoveStaleCgroups(HashSet<string> running)
    {
        foreach (string parent in layout.CgroupParentDirs().Where(Directory.Exists))
        {
            foreach (string dir in Directory.EnumerateDirectories(parent))
            {
                if (running.Contains(Path.GetFileName(dir)))
                {
                    continue;
                }
                try
                {
                    Directory.Delete(dir);
                    ContainerLog.StaleStateRemoved(logger, dir);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    ContainerLog.CleanupFailed(logger, dir, ex.Message);
                }
            }
        }
    }
}
