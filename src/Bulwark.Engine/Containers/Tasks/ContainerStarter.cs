using Bulwark.Engine.Containers.Networking;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Runtime.Monitor;
using Bulwark.Engine.Security;
using Bulwark.Engine.Snapshots;
using Bulwark.Engine.Snapshots.Idmapped;
using Bulwark.Engine.Volumes;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Tasks;

/// <summary>
/// Runs containers: start under a monitor, supervise its output until the exit, record the exit (also for a start
/// that failed), and re-attach to monitors that outlived a daemon restart.
/// </summary>
internal sealed class ContainerStarter(
    EngineOptions options,
    ContainerIndex index,
    ContainerLayout layout,
    RuntimeInfo runtimeInfo,
    IMonitorLauncher monitors,
    SnapshotService snapshots,
    ContainerIsolation isolation,
    ContainerNetworking networking,
    VolumeService volumes,
    ContainerEvents events,
    Secrets.ContainerSecrets secrets,
    ILogger logger,
    CancellationToken shutdown,
    Func<ContainerRecord, string, CancellationToken, Task>? verifyImage = null)
{
    /// <summary>How long a monitor may take for `runc delete` after its container exited before we stop waiting.</summary>
    private static readonly TimeSpan MonitorExitTimeout = TimeSpan.FromSeconds(30);

    public IContainerLifecycle Lifecycle { get; set; } = NoLifecycle.Instance;

    /// <summary>Starts the container under its monitor. False when it was already running (HTTP 304), or, for a
    /// policy restart, when it was stopped or removed while the restart waited.</summary>
    public async Task<bool> StartAsync(ContainerHandle entry, bool restart, CancellationToken ct)
    {
        bool started;
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            started = await StartLockedAsync(entry, restart, ct).ConfigureAwait(false);
        }
        if (started)
        {
            Lifecycle.Started(entry, resumed: false);
        }
        return started;
    }

    private async Task<bool> StartLockedAsync(ContainerHandle entry, bool restart, CancellationToken ct)
    {
        var r = entry.Record;
        if (entry.Forgotten)
        {
            throw EngineException.NotFound("No such container: " + r.Id);
        }
        if (restart && (r.State != ContainerState.Restarting || r.ManuallyStopped))
        {
            return false; // stopped or removed while waiting for the restart
        }
        if (r.State is ContainerState.Running or ContainerState.Paused)
        {
            return false;
        }
        Quarantine.ContainerQuarantine.ThrowIfIsolated(r, "start");
        if (r.State is ContainerState.Removing or ContainerState.Dead)
        {
            throw EngineException.Conflict($"container {r.Id} is marked for removal and cannot be started");
        }
        if (verifyImage is not null)
        {
            await verifyImage(r, restart ? "restart" : "start", ct).ConfigureAwait(false); // content trust
        }
        if (r.State is ContainerState.Exited or ContainerState.Restarting)
        {
            entry.ResetStreams(); // a restart by start: fresh stdio hub
        }
        string dir = layout.DirectoryOf(r.Id);
        // The rootfs is mounted at create and unmounted at exit; after a reboot a created container's mount is gone
        // too. Guard /dev again (the container may have changed its upper layer) and mount (idempotent).
        if (!SnapshotService.IsMounted(SnapshotService.RootfsPath(dir)))
        {
            isolation.GuardDev(dir);
        }
        // The previous run's monitor may still be running `runc delete` for this id: a new `runc run` would fail
        // with "container exists" until it is done.
        await entry.MonitorGone.ConfigureAwait(false);
        // Published ports are bound before anything else changes: a port in use (or a policy that changed since
        // create) fails the start with nothing left behind.
        using var reservation = r.Spec.Network.Mode == "host"
            ? networking.Ports.Reserve(r.Id, [])
            : networking.Ports.Reserve(r.Id, networking.Ports.Plan(r.Spec.Ports, r.ExposedPorts));
        string rootfsPath = snapshots.Mount(dir, r.LayerDirs, r.LayerIdMap);
        if (r.IdMap is { } idmap)
        {
            IdmappedBindSources.Mount(dir, r.IdmappedSources, idmap);
        }
        CopyUpVolumes(r, rootfsPath, ct);
        string stateDir = layout.StateDir(r.Id);
        if (Directory.Exists(stateDir))
        {
            Directory.Delete(stateDir, recursive: true);
        }
        Directory.CreateDirectory(stateDir);
        entry.ResetExit();

        IMonitorSession session;
        var startedAt = DateTimeOffset.UtcNow; // before the process exists, so it never comes after FinishedAt
        try
        {
            secrets.Deliver(r);
            if (r.Spec.Network.Mode != "host")
            {
                await networking.SetUpNetworkingAsync(r, ct).ConfigureAwait(false);
            }
            session = await monitors.StartAsync(new MonitorStartOptions
            {
                MonitorPath = options.MonitorPath,
                ContainerId = r.Id,
                BundleDir = dir,
                RuntimePath = runtimeInfo.Path,
                RuntimeRoot = layout.RuntimeRoot,
                StateDir = stateDir,
                LogPath = r.Spec.Log.Stored ? layout.LogPath(r.Id) : "none",
                LogMaxSizeBytes = r.Spec.Log.MaxSizeBytes > 0 ? r.Spec.Log.MaxSizeBytes : options.DefaultLogMaxSize,
                LogMaxFiles = r.Spec.Log.MaxSizeBytes > 0 ? r.Spec.Log.MaxFile : options.DefaultLogMaxFile,
                Tty = r.Spec.Tty,
                Stdin = r.Spec.OpenStdin,
                OomCgroupDir = layout.CgroupV1MemoryDir(r.Id),
            }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EngineException or IOException or UnauthorizedAccessException)
        {
            // The start failed (the runtime refused the process, or setting it up failed): recorded as an exit, with
            // the text kept so clients map it to 126/127; --rm containers are removed as after any exit.
            await RecordStartFailureAsync(entry, ex.Message).ConfigureAwait(false);
            if (ex is EngineException)
            {
                throw;
            }
            throw new EngineException(ErrorKind.Internal, $"cannot start container {r.Id}: {ex.Message}", ex);
        }
        catch
        {
            await networking.TearDownNetworkingAsync(r.Id).ConfigureAwait(false);
            throw;
        }

        r.State = ContainerState.Running;
        r.ManuallyStopped = false;
        r.Pid = session.Pid;
        r.StartedAt = startedAt;
        r.FinishedAt = null;
        r.ExitCode = 0;
        r.OomKilled = false;
        r.Error = "";
        r.PublishedPorts = await networking.Ports.ActivateAsync(reservation, session.Pid, ct).ConfigureAwait(false);
        index.Save(entry, durable: false);
        Supervise(entry, session);
        foreach (var v in r.Volumes)
        {
            volumes.PublishMount(r.Id, v);
        }
        events.Publish(r, "start");
        return true;
    }

    /// <summary>
    /// Daemon start: takes over a monitor that outlived the daemon. A record that did not say "running" (the daemon
    /// died between the monitor's start and the record's save) is brought up to date: the container runs, so it is
    /// tracked as running.
    /// </summary>
    public void Reattach(ContainerHandle entry, IMonitorSession session)
    {
        var r = entry.Record;
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            ContainerLog.AdoptedRunning(logger, r.Id);
            r.State = ContainerState.Running;
            r.ManuallyStopped = false;
            r.StartedAt ??= DateTimeOffset.UtcNow;
            r.FinishedAt = null;
            r.ExitCode = 0;
            r.Error = "";
        }
        r.Pid = session.Pid;
        r.PublishedPorts = networking.Ports.Restore(r.Id, r.PublishedPorts, session.Pid);
        index.Save(entry, durable: false);
        Supervise(entry, session);
        Lifecycle.Started(entry, resumed: true);
        ContainerLog.Reattached(logger, r.Id);
    }

    private void Supervise(ContainerHandle entry, IMonitorSession session)
    {
        entry.Streams.Bind(session, shutdown);
        _ = Task.Run(() => SuperviseAsync(entry, session), CancellationToken.None);
    }

    /// <summary>A failed start, recorded like an exit (caller holds the gate).</summary>
    private async Task RecordStartFailureAsync(ContainerHandle entry, string message)
    {
        var r = entry.Record;
        r.State = ContainerState.Exited;
        r.ExitCode = StartErrors.ExitCode(message);
        r.Error = message;
        r.FinishedAt = DateTimeOffset.UtcNow;
        r.PublishedPorts = [];
        index.Save(entry, durable: false);
        entry.Streams.CompleteAll();
        Unmount(r.Id);
        await networking.TearDownNetworkingAsync(r.Id).ConfigureAwait(false);
        entry.SignalExit(r.ExitCode);
        events.PublishDie(r);
        _ = Task.Run(() => Lifecycle.ExitedAsync(entry, startFailed: true), CancellationToken.None);
    }

    /// <summary>Docker's copy-up before the runtime mounts the volumes: image content at each destination goes into
    /// volumes that are still empty (unless nocopy). Both sides are resolved by descriptor inside their roots.</summary>
    private static void CopyUpVolumes(ContainerRecord r, string rootfs, CancellationToken ct)
    {
        if (!r.Volumes.Any(v => !v.NoCopy))
        {
            return;
        }
        try
        {
            using var fs = new Native.RootedFileSystem(rootfs);
            foreach (var v in r.Volumes.Where(v => !v.NoCopy))
            {
                VolumeCopyUp.CopyIfEmpty(fs, v.Destination, v.Source, ct, r.IdmappedSources.Contains(v.Source) ? r.IdMap : null);
            }
        }
        catch (Native.ErrnoException ex)
        {
            throw new EngineException(ErrorKind.Internal, $"container {r.Id}: copying image content into a volume failed: {ex.Message}", ex);
        }
    }

    /// <summary>Pumps the monitor's output to attachments until exit, then records the exit.</summary>
    private async Task SuperviseAsync(ContainerHandle entry, IMonitorSession session)
    {
        ExitStatus exit;
        try
        {
            exit = await session.RunAsync((stream, data) => entry.Streams.DeliverAsync((OutputStream)(int)stream, data), shutdown)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Daemon shutting down: the container keeps running under its monitor.
            await session.DisposeAsync().ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            ContainerLog.MonitorFailed(logger, entry.Id, ex.Message);
            exit = monitors.ReadExitFile(layout.StateDir(entry.Id)) ?? new ExitStatus(-1, false, DateTimeOffset.UtcNow);
        }
        // The exit is reported at once; the monitor's `runc delete` finishes in the background and a restart waits for it.
        entry.MonitorGone = ReleaseMonitorAsync(entry.Id, session);
        await RecordExitAsync(entry, exit).ConfigureAwait(false);
    }

    /// <summary>Waits (bounded) until the monitor process has exited, then drops the session. Never throws.</summary>
    private async Task ReleaseMonitorAsync(string id, IMonitorSession session)
    {
        try
        {
            await session.WaitForMonitorExitAsync(shutdown).WaitAsync(MonitorExitTimeout, shutdown).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ContainerLog.MonitorFailed(logger, id, $"monitor still running {MonitorExitTimeout.TotalSeconds:0} s after the container exited");
        }
        catch (OperationCanceledException)
        {
            // Daemon shutting down.
        }
        finally
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Records an exit (from the monitor, or found at daemon start), announces it and hands it to the lifecycle.</summary>
    public async Task RecordExitAsync(ContainerHandle entry, ExitStatus exit)
    {
        var r = entry.Record;
        if (entry.Forgotten)
        {
            // Removed while its last process was being killed (rm -f): the removal already said everything.
            entry.Streams.CompleteAll();
            entry.SignalExit(exit.ExitCode < 0 ? 255 : exit.ExitCode);
            return;
        }
        using (await entry.LockAsync(CancellationToken.None).ConfigureAwait(false))
        {
            r.State = ContainerState.Exited;
            r.Pid = 0;
            r.ExitCode = exit.ExitCode < 0 ? 255 : exit.ExitCode;
            r.OomKilled = exit.OomKilled;
            r.FinishedAt = exit.FinishedAt;
            r.PublishedPorts = [];
            if (exit.ExitCode < 0)
            {
                r.Error = "container monitor exited without recording an exit status";
            }
            index.Save(entry, durable: false);
            if (r.Spec.AutoRemove)
            {
                // --rm: the removal that follows unmounts the rootfs after its waiters are released (an unmount can wait
                // for an RCU grace period); the secrets go now, as for any exit.
                secrets.Release(r.Id);
            }
            else
            {
                Unmount(r.Id);
            }
            await networking.TearDownNetworkingAsync(r.Id).ConfigureAwait(false);
        }
        entry.Streams.CompleteAll();
        foreach (var v in r.Volumes)
        {
            volumes.PublishUnmount(r.Id, v);
        }
        if (r.OomKilled)
        {
            events.Publish(r, "oom");
        }
        events.PublishDie(r);
        entry.SignalExit(r.ExitCode);
        await Lifecycle.ExitedAsync(entry, startFailed: false).ConfigureAwait(false);
    }

    private void Unmount(string id)
    {
        secrets.Release(id);
        try
        {
            snapshots.Unmount(layout.DirectoryOf(id));
        }
        catch (Exception ex) when (ex is IOException or EngineException)
        {
            ContainerLog.CleanupFailed(logger, id, ex.Message);
        }
    }

    private sealed class NoLifecycle : IContainerLifecycle
    {
        public static readonly NoLifecycle Instance = new();

        public void Started(ContainerHandle handle, bool resumed)
        {
        }

        public Task ExitedAsync(ContainerHandle handle, bool startFailed) => Task.CompletedTask;
    }
}
