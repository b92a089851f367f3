using System.Globalization;
using Bulwark.Engine.Containers.Archive;
using Bulwark.Engine.Containers.Create;
using Bulwark.Engine.Containers.Exec;
using Bulwark.Engine.Containers.Filesystem;
using Bulwark.Engine.Containers.Health;
using Bulwark.Engine.Containers.Networking;
using Bulwark.Engine.Containers.Quarantine;
using Bulwark.Engine.Containers.Reconcile;
using Bulwark.Engine.Containers.Removal;
using Bulwark.Engine.Containers.Restart;
using Bulwark.Engine.Containers.Secrets;
using Bulwark.Engine.Containers.Tasks;
using Bulwark.Engine.Containers.Update;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Images;
using Bulwark.Engine.Networks;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Runtime.Monitor;
using Bulwark.Engine.Security;
using Bulwark.Engine.Snapshots;
using Bulwark.Engine.Volumes;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers;

/// <summary>
/// The containers facade the API adapter talks to. It decides nothing itself: it wires the container services
/// (index, creator, task layer, exec, health, restart, removal, filesystem, networking, reconciler; see
/// docs/ARCHITECTURE.md) and forwards each call to the one that owns it.
/// </summary>
public sealed class ContainerService : IAsyncDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ContainerIndex _index;
    private readonly ContainerLayout _layout;
    private readonly SnapshotService _snapshots;
    private readonly ContainerCreator _creator;
    private readonly ContainerStarter _starter;
    private readonly ContainerControl _control;
    private readonly ContainerRemover _remover;
    private readonly ExecService _execs;
    private readonly ContainerFilesystem _filesystem;
    private readonly ContainerNetworking _networking;
    private readonly Reconciler _reconciler;
    private readonly ContainerEvents _events;
    private readonly ContainerUpdater _updater;
    private readonly ContainerSecrets _secrets;
    private readonly ContainerQuarantine _quarantine;

    public ContainerService(
        EngineOptions options,
        ImageService images,
        SnapshotService snapshots,
        RuntimeInfo runtimeInfo,
        HostSecurity host,
        EventBus events,
        NetworkService networks,
        VolumeService volumes,
        ILogger<ContainerService> logger,
        Bulwark.Engine.Secrets.SecretStore? secretStore = null)
    {
        var store = new ContainerStore(options.DataRoot, logger);
        _index = new ContainerIndex(store);
        _layout = new ContainerLayout(options, store);
        Directory.CreateDirectory(_layout.StateRoot);
        var runtime = new OciRuntime(runtimeInfo.Path, _layout.RuntimeRoot);
        var monitors = new MonitorLauncher();
        var isolation = new ContainerIsolation(options, host, snapshots.Driver, snapshots.IdmappedLayers);
        CancellationToken shutdown = _shutdown.Token;
        Func<ContainerRecord, string, CancellationToken, Task> verifyImage = async (r, operation, ct) =>
        {
            var image = images.TryResolve(r.ImageId);
            await images.Trust.VerifyLocalImageAsync(null, image, operation, ct).ConfigureAwait(false);
            if (image is not null && operation != "unpause")
            {
                await images.Admission.AdmitAsync(null, image, operation, ct).ConfigureAwait(false); // policy.scan
            }
        };
        Runtime = runtimeInfo;
        _snapshots = snapshots;
        _events = new ContainerEvents(events);
        _networking = new ContainerNetworking(_index, _layout, networks, new Ports.PortPublisher(options.DefaultPublishAddress, options.Policy.PublishedPorts, logger,
            options.UserlandProxy ? null : Ports.Redirect.PortRedirector.TryCreate(logger)), logger);
        _secrets = new ContainerSecrets(options, _index, secretStore, logger);
        _creator = new ContainerCreator(_index, _layout, images, snapshots, isolation, _networking, networks, volumes, runtimeInfo, _events, _secrets, logger);
        _starter = new ContainerStarter(options, _index, _layout, runtimeInfo, monitors, snapshots, isolation, _networking, volumes, _events, _secrets, logger, shutdown, verifyImage);
        _control = new ContainerControl(_index, runtime, _events, logger, verifyImage);
        _quarantine = new ContainerQuarantine(_index, _control, _events, logger);
        _remover = new ContainerRemover(_index, _layout, _control, runtime, _networking, snapshots, volumes, _events, _secrets, logger);
        _execs = new ExecService(options, _index, _layout, runtimeInfo, monitors, _events, logger, shutdown);
        var health = new HealthMonitor(_index, new ExecHealthProbe(_execs), id => HealthcheckFromImage.FromImage(images, id), _events, TimeProvider.System, shutdown);
        var restarts = new RestartManager((h, ct) => _starter.StartAsync(h, restart: true, ct), _events, logger, TimeProvider.System, shutdown);
        _starter.Lifecycle = new Lifecycle(health, restarts, _remover);
        _filesystem = new ContainerFilesystem(_index, _layout, snapshots, _events);
        _updater = new ContainerUpdater(_index, _layout, runtime, _events);
        _reconciler = new Reconciler(_index, _layout, runtime, monitors, _starter, _remover, _creator, restarts, _networking, snapshots, volumes, _secrets, logger);
    }

    public RuntimeInfo Runtime { get; }

    public NetworkService Networks => _networking.Networks;

    /// <summary>True for a network mode naming a user-defined network (anything but "none" and "host").</summary>
    public static bool IsUserNetwork(string mode) => ContainerNetworking.IsUserNetwork(mode);

    internal static string ValidateName(string name) => ContainerIndex.ValidateName(name);

    // ---------------------------------------------------------------- queries

    public IReadOnlyList<ContainerRecord> List() => _index.List();

    /// <summary>Finds a container by full id, name (with or without '/'), or unique id prefix.</summary>
    public ContainerRecord Get(string reference) => _index.Find(reference).Record;

    public string GetLogPath(ContainerRecord record) => _layout.LogPath(record.Id);

    /// <summary>Names of the containers whose records use the secret (a secret in use cannot be removed).</summary>
    public IReadOnlyList<string> SecretUsers(string secretId, long? version = null) => _secrets.UsersOf(secretId, version);

    public bool IsImageInUse(string imageId, out string? containerId) => _index.IsImageInUse(imageId, out containerId);

    /// <summary>Whether a container record mounts the layer directory (rmi and prune keep the shifted copies in use).</summary>
    public bool IsLayerDirInUse(string layerDir) => _index.IsLayerDirInUse(layerDir);

    public IReadOnlyList<(NetworkRecord Network, EndpointRecord Endpoint)> NetworksOf(ContainerRecord r) => _networking.NetworksOf(r);

    public string SandboxKey(ContainerRecord r) => _networking.SandboxKey(r);

    /// <summary>The pids in the container's cgroup (pids controller; v1 or v2 layout).</summary>
    public IReadOnlySet<int> ProcessIds(string reference)
    {
        var r = _index.Find(reference).Record;
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            throw EngineException.Conflict($"Container {r.Id} is not running");
        }
        string[] candidates =
        [
            Path.Combine("/sys/fs/cgroup/pids", _layout.CgroupParent, r.Id, "cgroup.procs"),
            Path.Combine("/sys/fs/cgroup", _layout.CgroupParent, r.Id, "cgroup.procs"),
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

    /// <summary>Reads the container's cgroup counters; null when it is not running (no cgroup).</summary>
    public Stats.StatsSample? ReadStats(string reference)
    {
        var r = _index.Find(reference).Record;
        return r.State is ContainerState.Running or ContainerState.Paused
            ? Stats.CgroupStatsReader.Read(_layout.CgroupsPath(r.Id)) with { Networks = Stats.NetworkDevStatsReader.Read(r.Pid) }
            : null;
    }

    /// <summary>The container's OCI bundle config.json (its effective security profile as handed to runc).</summary>
    public string BundleConfigPath(string reference) => Bulwark.Engine.Runtime.Oci.OciBundle.ConfigPath(_layout.DirectoryOf(_index.Find(reference).Id));

    /// <summary>Bytes written by the container (its overlay upper directory).</summary>
    public long SizeRw(string reference) => _snapshots.DiffSize(_layout.DirectoryOf(_index.Find(reference).Id));

    // ---------------------------------------------------------------- lifecycle

    public Task<(ContainerRecord Record, IReadOnlyList<string> Warnings)> CreateAsync(ContainerSpec spec, CancellationToken ct) =>
        _creator.CreateAsync(spec, ct);

    /// <summary>Starts the container under its monitor. Returns false when it was already running (HTTP 304).</summary>
    public Task<bool> StartAsync(string reference, CancellationToken ct) => _starter.StartAsync(_index.Find(reference), restart: false, ct);

    public Task<bool> StopAsync(string reference, int? timeoutSeconds, string? signal, CancellationToken ct) =>
        _control.StopAsync(reference, timeoutSeconds, signal, ct);

    public Task KillAsync(string reference, string? signal, CancellationToken ct) => _control.KillAsync(reference, signal, ct);

    public Task<int> Wait(string reference, string? condition) => _control.Wait(reference, condition);

    public Task PauseAsync(string reference, CancellationToken ct) => _control.PauseAsync(reference, ct);

    /// <summary>Cuts a running container off (network down to loopback, no new exec or start, optionally frozen).</summary>
    public Task<QuarantineState> IsolateAsync(string reference, bool freeze, CancellationToken ct) => _quarantine.IsolateAsync(reference, freeze, ct);

    /// <summary>Reverses <see cref="IsolateAsync"/>.</summary>
    public Task UndoIsolateAsync(string reference, CancellationToken ct) => _quarantine.UndoAsync(reference, ct);

    public Task UnpauseAsync(string reference, CancellationToken ct) => _control.UnpauseAsync(reference, ct);

    public AttachSession Attach(string reference, bool stdin, bool stdout, bool stderr) => _control.Attach(reference, stdin, stdout, stderr);

    public ValueTask ResizeAsync(string reference, int rows, int cols, CancellationToken ct) => _control.ResizeAsync(reference, rows, cols, ct);

    public Task RemoveAsync(string reference, bool force, bool removeVolumes, CancellationToken ct) =>
        _remover.RemoveAsync(reference, force, removeVolumes, ct);

    public Task<Removal.ContainerPruneResult> PruneAsync(Func<ContainerRecord, bool> filter, CancellationToken ct) => _remover.PruneAsync(filter, ct);

    /// <summary><c>docker update</c>: resources live and persisted, restart policy; answers Docker's warnings.</summary>
    public Task<IReadOnlyList<string>> UpdateAsync(string reference, ContainerUpdate update, CancellationToken ct) =>
        _updater.UpdateAsync(reference, update, ct);

    public async Task RenameAsync(string reference, string newName, CancellationToken ct)
    {
        var entry = _index.Find(reference);
        var r = entry.Record;
        string name = ContainerIndex.ValidateName(newName);
        if (name == r.Name)
        {
            throw EngineException.Invalid("Renaming a container with the same name as its current name");
        }
        string old = r.Name;
        _index.Rename(entry, name);
        _events.Publish(r, "rename", ("oldName", "/" + old));
        await _networking.RenameAsync(r, ct).ConfigureAwait(false);
    }

    /// <summary>Daemon start: every record is reconciled with the runtime and the monitors before the API serves.</summary>
    public Task RestoreAsync(CancellationToken ct) => _reconciler.ReconcileAsync(ct);

    // ---------------------------------------------------------------- exec

    public ExecRecord CreateExec(string containerReference, ExecSpec spec) => _execs.CreateExec(containerReference, spec);

    public ExecRecord GetExec(string id) => _execs.GetExec(id);

    public IReadOnlyList<string> ExecIdsOf(string containerId) => _execs.ExecIdsOf(containerId);

    public Task<Task<int>> StartExecAsync(string execId, CancellationToken ct) => _execs.StartExecAsync(execId, ct);

    public void FailExec(string execId, string message) => _execs.FailExec(execId, message);

    public ValueTask ResizeExecAsync(string execId, int rows, int cols, CancellationToken ct) => _execs.ResizeExecAsync(execId, rows, cols, ct);

    // ---------------------------------------------------------------- networks

    public Task ConnectAsync(string containerReference, string networkReference, EndpointRequest request, CancellationToken ct) =>
        _networking.ConnectAsync(containerReference, networkReference, request, ct);

    public Task DisconnectAsync(string containerReference, string networkReference, CancellationToken ct) =>
        _networking.DisconnectAsync(containerReference, networkReference, ct);

    // ---------------------------------------------------------------- filesystem

    public Task<ContainerPathStat> StatPathAsync(string reference, string path, CancellationToken ct) => _filesystem.StatPathAsync(reference, path, ct);

    public Task ArchivePathAsync(string reference, string path, Func<ContainerPathStat, CancellationToken, Task<Stream>> begin, CancellationToken ct) =>
        _filesystem.ArchivePathAsync(reference, path, begin, ct);

    public Task ExtractToDirAsync(string reference, string path, Stream archive, ExtractOptions options, CancellationToken ct) =>
        _filesystem.ExtractToDirAsync(reference, path, archive, options, ct);

    public Task ExportAsync(string reference, Func<CancellationToken, Task<Stream>> begin, CancellationToken ct) =>
        _filesystem.ExportAsync(reference, begin, ct);

    public IReadOnlyList<ContainerChange> Changes(string reference, CancellationToken ct) => _filesystem.Changes(reference, ct);

    /// <summary>The container's changes as an image layer tar (for commit).</summary>
    public Task WriteDiffAsync(string reference, Stream output, CancellationToken ct) => _filesystem.WriteDiffAsync(reference, output, ct);

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _shutdown.Dispose();
        await _networking.Ports.DisposeAsync().ConfigureAwait(false);
        RemoveEmptyCgroupParents();
    }

    /// <summary>
    /// On shutdown, removes this daemon's cgroup parent in every hierarchy where it no longer holds a container
    /// (rmdir fails with EBUSY where containers still run under their monitors; those stay for the next start).
    /// </summary>
    private void RemoveEmptyCgroupParents()
    {
        foreach (string dir in _layout.CgroupParentDirs())
        {
            try
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir); // rmdir(2): a cgroup with children is refused
                }
            }
            catch (IOException)
            {
                // Busy: containers still run under it.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to remove.
            }
        }
    }

    /// <summary>What follows a container's start and exit: health checks, then --rm or the restart policy.</summary>
    private sealed class Lifecycle(HealthMonitor health, RestartManager restarts, ContainerRemover remover) : IContainerLifecycle
    {
        public void Started(ContainerHandle handle, bool resumed) => health.Start(handle, resumed);

        public async Task ExitedAsync(ContainerHandle handle, bool startFailed)
        {
            HealthMonitor.Stop(handle);
            if (handle.Record.Spec.AutoRemove)
            {
                await remover.RemoveAfterExitAsync(handle).ConfigureAwait(false);
            }
            else if (!startFailed)
            {
                _ = restarts.OnExit(handle);
            }
        }
    }
}
