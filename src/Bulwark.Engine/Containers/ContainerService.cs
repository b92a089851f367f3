using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Images;
using Bulwark.Engine.Networks;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Runtime.Monitor;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security;
using Bulwark.Engine.Snapshots;
using Bulwark.Engine.Volumes;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers;

/// <summary>
/// The container facade: create (policy, profile, snapshot, bundle), start under a monitor, stop/kill, wait, remove,
/// and reconciliation with reality when the daemon starts.
/// </summary>
public sealed partial class ContainerService : IAsyncDisposable
{
    private static readonly Regex ValidName = new(@"\A/?[a-zA-Z0-9][a-zA-Z0-9_.-]+\z", RegexOptions.CultureInvariant);
    private readonly EngineOptions _options;
    private readonly ImageService _images;
    private readonly SnapshotService _snapshots;
    private readonly OciRuntime _runtime;
    private readonly RuntimeInfo _runtimeInfo;
    private readonly string _runtimeRoot;
    private readonly HostSecurity _host;
    private readonly ContainerIsolation _isolation;
    private readonly EventBus _events;
    private readonly NetworkService _networks;
    private readonly VolumeService _volumes;
    private readonly ILogger _logger;
    private readonly ContainerStore _store;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _namesLock = new();
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _shutdown = new();

    public ContainerService(
        EngineOptions options,
        ImageService images,
        SnapshotService snapshots,
        RuntimeInfo runtimeInfo,
        HostSecurity host,
        EventBus events,
        NetworkService networks,
        VolumeService volumes,
        ILogger<ContainerService> logger)
    {
        _options = options;
        _images = images;
        _snapshots = snapshots;
        _runtimeInfo = runtimeInfo;
        _runtimeRoot = Path.Combine(options.ExecRoot, "runtime");
        _runtime = new OciRuntime(runtimeInfo.Path, _runtimeRoot);
        _host = host;
        _isolation = new ContainerIsolation(options, host, snapshots.Driver);
        _events = events;
        _networks = networks;
        _volumes = volumes;
        _logger = logger;
        _store = new ContainerStore(options.DataRoot);
        Directory.CreateDirectory(StateRoot);
    }

    public RuntimeInfo Runtime => _runtimeInfo;

    private string StateRoot => Path.Combine(_options.ExecRoot, "c");

    private string StateDir(string id) => Path.Combine(StateRoot, id);

    private string LogPath(string id) => Path.Combine(_store.DirectoryOf(id), id + "-json.log");

    // ---------------------------------------------------------------- queries

    public IReadOnlyList<ContainerRecord> List() => [.. _entries.Values.Select(e => e.Record).OrderByDescending(r => r.Created)];

    /// <summary>Finds a container by full id, name (with or without '/'), or unique id prefix.</summary>
    public ContainerRecord Get(string reference) => Find(reference).Record;

    public string GetLogPath(ContainerRecord record) => LogPath(record.Id);

    public bool IsImageInUse(string imageId, out string? containerId)
    {
        containerId = _entries.Values.FirstOrDefault(e => e.Record.ImageId == imageId)?.Record.Id;
        return containerId is not null;
    }

    private Entry Find(string reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            throw EngineException.NotFound("No such container: " + reference);
        }
        if (_entries.TryGetValue(reference, out var byId))
        {
            return byId;
        }
        string name = reference.TrimStart('/');
        lock (_namesLock)
        {
            if (_names.TryGetValue(name, out string? id) && _entries.TryGetValue(id, out var byName))
            {
                return byName;
            }
        }
        var matches = _entries.Values.Where(e => e.Record.Id.StartsWith(reference, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw EngineException.NotFound("No such container: " + reference),
            _ => throw EngineException.Invalid("multiple IDs found with provided prefix: " + reference),
        };
    }

    // ---------------------------------------------------------------- create

    public async Task<(ContainerRecord Record, IReadOnlyList<string> Warnings)> CreateAsync(ContainerSpec spec, CancellationToken ct)
    {
        string id = NewId();
        string name = spec.Name is { Length: > 0 } n ? ValidateName(n) : GenerateName(id);
        ImageRecord image = _images.Resolve(spec.Image);
        await _images.Trust.VerifyLocalImageAsync(spec.Image, image, "create", ct).ConfigureAwait(false);

        // Policy and profile first: a refused request leaves nothing behind.
        SecurityProfile profile = _isolation.BuildProfile(spec, image.Config.User);
        var userns = _isolation.MappingFor(profile);
        var warnings = new List<string>();
        bool userNetwork = IsUserNetwork(spec.Network.Mode);
        if (userNetwork && !_networks.TryGet(spec.Network.Mode, out _))
        {
            // A 400, not a 404: clients (the docker CLI) read a 404 from create as "image missing" and start a pull.
            throw EngineException.Invalid($"network {spec.Network.Mode} not found");
        }

        ReserveName(name, id);
        string dir = _store.DirectoryOf(id);
        IReadOnlyList<VolumeAttachment> volumes = [];
        try
        {
            volumes = _volumes.Attach(id, VolumePlan.For(spec.Storage, image.Config.Volumes));
            IReadOnlyList<string> layers = await _isolation.LayersAsync(_images.LayerDirs(image), userns, ct).ConfigureAwait(false);
            Directory.CreateDirectory(dir);
            await _snapshots.PrepareAsync(dir, layers, ct).ConfigureAwait(false);
            _isolation.PrepareRootfs(dir, userns);
            string rootfs = _snapshots.Mount(dir, layers);
            string hostname = spec.Hostname is { Length: > 0 } h ? h : id[..12];
            if (userNetwork)
            {
                await AttachAtCreateAsync(id, name, spec, ct).ConfigureAwait(false);
            }
            var input = new OciSpecInput(spec, image.Config, profile, rootfs, id, hostname, CgroupsPath(id))
            {
                UidMappings = userns?.UidMappings,
                GidMappings = userns?.GidMappings,
                InitBinary = _isolation.InitBinary,
                NetworkSetupScript = userNetwork ? NetworkSetupScriptPath(id) : null,
                HostsFile = userNetwork ? HostsPath(id) : null,
                ResolvConfFile = userNetwork ? ResolvConfPath(id) : null,
                Volumes = volumes,
            };
            var built = OciSpecBuilder.Build(input);
            _isolation.CheckBuilt(spec, image.Config.User, built);
            var userArgs = spec.Security.Init ? built.Process.Args.Skip(2).ToList() : built.Process.Args;
            await OciSpecBuilder.WriteBundleAsync(dir, built, ct).ConfigureAwait(false);

            var labels = new Dictionary<string, string>(image.Config.Labels, StringComparer.Ordinal);
            foreach (var kv in spec.Labels)
            {
                labels[kv.Key] = kv.Value;
            }
            var record = new ContainerRecord
            {
                Id = id,
                Name = name,
                Created = DateTimeOffset.UtcNow,
                Spec = spec,
                ImageId = image.Id,
                Path = userArgs[0],
                Args = [.. userArgs.Skip(1)],
                Env = built.Process.Env,
                Labels = labels,
                Hostname = hostname,
                User = spec.User ?? image.Config.User ?? "",
                WorkingDir = built.Process.Cwd,
                LayerDirs = layers,
                Runtime = _runtimeInfo.Name,
                Profile = _isolation.Describe(profile, spec, built, userns),
                Volumes = volumes,
            };
            _store.Save(record);
            _entries[id] = new Entry(record);
            Publish(record, "create");
            if (userNetwork)
            {
                RefreshHosts(_networks.EndpointsOf(id).Select(x => x.Network.Id), exceptContainer: null);
            }
            return (record, warnings);
        }
        catch
        {
            if (userNetwork)
            {
                await ReleaseNetworksAsync(id).ConfigureAwait(false);
            }
            ReleaseName(name, id);
            CleanupDirectory(dir);
            _volumes.Detach(id, volumes, removeAnonymous: true);
            throw;
        }
    }

    private string CgroupsPath(string id) => "/" + _options.CgroupParent + "/" + id;

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    internal static string ValidateName(string name)
    {
        if (!ValidName.IsMatch(name))
        {
            throw EngineException.Invalid($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.TrimStart('/');
    }

    private string GenerateName(string id)
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

    private void ReserveName(string name, string id)
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

    private void ReleaseName(string name, string id)
    {
        lock (_namesLock)
        {
            if (_names.TryGetValue(name, out string? owner) && owner == id)
            {
                _names.Remove(name);
            }
        }
    }

    private void CleanupDirectory(string dir)
    {
        try
        {
            _snapshots.Remove(dir);
        }
        catch (Exception ex) when (ex is IOException or EngineException or UnauthorizedAccessException)
        {
            LogCleanupFailed(_logger, dir, ex.Message);
        }
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCleanupFailed(_logger, dir, ex.Message);
        }
    }

    // ---------------------------------------------------------------- attach

    /// <summary>Attaches to a created or running container's stdio.</summary>
    public AttachSession Attach(string reference, bool stdin, bool stdout, bool stderr)
    {
        var entry = Find(reference);
        var state = entry.Record.State;
        if (state is ContainerState.Removing or ContainerState.Dead)
        {
            throw EngineException.Conflict($"container {entry.Record.Id} is being removed: cannot attach");
        }
        if (state == ContainerState.Paused)
        {
            throw EngineException.Conflict($"container {entry.Record.Id} is paused, unpause the container before attach");
        }
        var session = entry.Streams.Attach(stdin, stdout, stderr);
        Publish(entry.Record, "attach"); // Docker's `container attach` event
        return session;
    }

    public ValueTask ResizeAsync(string reference, int rows, int cols, CancellationToken ct)
    {
        var entry = Find(reference);
        if (entry.Record.State != ContainerState.Running)
        {
            throw EngineException.Conflict($"Container {entry.Record.Id} is not running");
        }
        return entry.Streams.ResizeAsync(rows, cols, ct);
    }

    // ---------------------------------------------------------------- start

    /// <summary>Starts the container under its monitor. Returns false when it was already running (HTTP 304).</summary>
    public Task<bool> StartAsync(string reference, CancellationToken ct) => StartAsync(reference, restart: false, ct);

    private async Task<bool> StartAsync(string reference, bool restart, CancellationToken ct)
    {
        var entry = Find(reference);
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var r = entry.Record;
            if (restart && (r.State != ContainerState.Restarting || r.ManuallyStopped))
            {
                return false; // stopped or removed while waiting for the restart
            }
            if (r.State is ContainerState.Running or ContainerState.Paused)
            {
                return false;
            }
            if (r.State is ContainerState.Removing or ContainerState.Dead)
            {
                throw EngineException.Conflict($"container {r.Id} is marked for removal and cannot be started");
            }
            await _images.Trust.VerifyLocalImageAsync(null, _images.TryResolve(r.ImageId), restart ? "restart" : "start", ct).ConfigureAwait(false);
            if (r.State is ContainerState.Exited or ContainerState.Restarting)
            {
                // A restart by start: fresh stdio hub.
                entry.ResetStreams();
            }
            // The rootfs is mounted at create and unmounted at exit; after a reboot a created container's mount is
            // gone too. Guard /dev again (the container may have changed its upper layer) and mount (idempotent).
            if (!SnapshotService.IsMounted(SnapshotService.RootfsPath(_store.DirectoryOf(r.Id))))
            {
                _isolation.GuardDev(_store.DirectoryOf(r.Id));
            }
            // The previous run's monitor may still be running `runc delete` for this id: a new `runc run` would
            // fail with "container exists" until it is done.
            await entry.MonitorGone.ConfigureAwait(false);
            string rootfsPath = _snapshots.Mount(_store.DirectoryOf(r.Id), r.LayerDirs);
            CopyUpVolumes(r, rootfsPath, ct);
            string stateDir = StateDir(r.Id);
            if (Directory.Exists(stateDir))
            {
                Directory.Delete(stateDir, recursive: true);
            }
            Directory.CreateDirectory(stateDir);
            entry.ResetExit();

            MonitorSession session;
            var startedAt = DateTimeOffset.UtcNow; // before the process exists, so it never comes after FinishedAt
            try
            {
                if (IsUserNetwork(r.Spec.Network.Mode))
                {
                    await SetUpNetworkingAsync(r, ct).ConfigureAwait(false);
                }
                session = await MonitorProcess.StartAsync(new MonitorStartOptions
                {
                    MonitorPath = _options.MonitorPath,
                    ContainerId = r.Id,
                    BundleDir = _store.DirectoryOf(r.Id),
                    RuntimePath = _runtimeInfo.Path,
                    RuntimeRoot = _runtimeRoot,
                    StateDir = stateDir,
                    LogPath = LogPath(r.Id),
                    LogMaxSizeBytes = r.Spec.Log.MaxSizeBytes > 0 ? r.Spec.Log.MaxSizeBytes : _options.DefaultLogMaxSize,
                    LogMaxFiles = r.Spec.Log.MaxSizeBytes > 0 ? r.Spec.Log.MaxFile : _options.DefaultLogMaxFile,
                    Tty = r.Spec.Tty,
                    Stdin = r.Spec.OpenStdin,
                    OomCgroupDir = CgroupV1MemoryDir(r.Id),
                }, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is EngineException or IOException or UnauthorizedAccessException)
            {
                // The start failed (the runtime refused the process, or setting it up failed): recorded as an exit,
                // with the text kept so clients map it to 126/127; --rm containers are removed as after any exit.
                await RecordStartFailureAsync(entry, ex.Message).ConfigureAwait(false);
                if (ex is EngineException)
                {
                    throw;
                }
                throw new EngineException(ErrorKind.Internal, $"cannot start container {r.Id}: {ex.Message}", ex);
            }
            catch
            {
                await TearDownNetworkingAsync(r.Id).ConfigureAwait(false);
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
            _store.Save(r, durable: false);
            entry.Streams.Bind(session, _shutdown.Token);
            foreach (var v in r.Volumes)
            {
                _volumes.PublishMount(r.Id, v);
            }

            Publish(r, "start");
            _ = Task.Run(() => SuperviseAsync(entry, session), CancellationToken.None);
            StartHealthChecks(entry);
            return true;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>A failed start, recorded like an exit (caller holds the gate).</summary>
    private async Task RecordStartFailureAsync(Entry entry, string message)
    {
        var r = entry.Record;
        r.State = ContainerState.Exited;
        r.ExitCode = ExitCodeForStartError(message);
        r.Error = message;
        r.FinishedAt = DateTimeOffset.UtcNow;
        _store.Save(r, durable: false);
        entry.Streams.CompleteAll();
        try
        {
            _snapshots.Unmount(_store.DirectoryOf(r.Id));
        }
        catch (Exception ex) when (ex is IOException or EngineException)
        {
            LogCleanupFailed(_logger, r.Id, ex.Message);
        }
        await TearDownNetworkingAsync(r.Id).ConfigureAwait(false);
        entry.SignalExit(r.ExitCode);
        Publish(r, "die", ("exitCode", r.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (r.Spec.AutoRemove)
        {
            _ = Task.Run(() => RemoveAfterExitAsync(entry), CancellationToken.None);
        }
    }

    private string? CgroupV1MemoryDir(string id)
    {
        string v1 = Path.Combine("/sys/fs/cgroup/memory", _options.CgroupParent, id);
        return Directory.Exists("/sys/fs/cgroup/memory") ? v1 : Path.Combine("/sys/fs/cgroup", _options.CgroupParent, id);
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
                VolumeCopyUp.CopyIfEmpty(fs, v.Destination, v.Source, ct);
            }
        }
        catch (Native.ErrnoException ex)
        {
            throw new EngineException(ErrorKind.Internal, $"container {r.Id}: copying image content into a volume failed: {ex.Message}", ex);
        }
    }

    internal static int ExitCodeForStartError(string message)
    {
        if (message.Contains("executable file not found", StringComparison.OrdinalIgnoreCase)
            || message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase))
        {
            return 127;
        }
        if (message.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
            || message.Contains("is a directory", StringComparison.OrdinalIgnoreCase))
        {
            return 126;
        }
        return 128;
    }

    /// <summary>Pumps the monitor's output to attachments until exit, then records the exit.</summary>
    private async Task SuperviseAsync(Entry entry, MonitorSession session)
    {
        ExitStatus exit;
        try
        {
            exit = await session.RunAsync((stream, data) => entry.Streams.DeliverAsync((OutputStream)(int)stream, data), _shutdown.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            // Daemon shutting down: the container keeps running under its monitor.
            await session.DisposeAsync().ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            LogMonitorFailed(_logger, entry.Record.Id, ex.Message);
            exit = MonitorProcess.ReadExitFile(StateDir(entry.Record.Id)) ?? new ExitStatus(-1, false, DateTimeOffset.UtcNow);
        }
        // The exit is reported at once; the monitor's `runc delete` finishes in the background and a restart waits for it.
        entry.MonitorGone = ReleaseMonitorAsync(entry.Record.Id, session);
        await RecordExitAsync(entry, exit).ConfigureAwait(false);
    }

    /// <summary>How long a monitor may take for `runc delete` after its container exited before we stop waiting.</summary>
    private static readonly TimeSpan MonitorExitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Waits (bounded) until the monitor process has exited, then drops the session. Never throws.</summary>
    private async Task ReleaseMonitorAsync(string id, MonitorSession session)
    {
        try
        {
            await session.WaitForMonitorExitAsync(_shutdown.Token).WaitAsync(MonitorExitTimeout, _shutdown.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogMonitorFailed(_logger, id, $"monitor still running {MonitorExitTimeout.TotalSeconds:0} s after the container exited");
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

    private async Task RecordExitAsync(Entry entry, ExitStatus exit)
    {
        var r = entry.Record;
        await entry.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            r.State = ContainerState.Exited;
            r.Pid = 0;
            r.ExitCode = exit.ExitCode < 0 ? 255 : exit.ExitCode;
            r.OomKilled = exit.OomKilled;
            r.FinishedAt = exit.FinishedAt;
            if (exit.ExitCode < 0)
            {
                r.Error = "container monitor exited without recording an exit status";
            }
            _store.Save(r, durable: false);
            try
            {
                _snapshots.Unmount(_store.DirectoryOf(r.Id));
            }
            catch (Exception ex) when (ex is IOException or EngineException)
            {
                LogCleanupFailed(_logger, r.Id, ex.Message);
            }
            await TearDownNetworkingAsync(r.Id).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
        StopHealthChecks(entry);
        entry.Streams.CompleteAll();
        foreach (var v in r.Volumes)
        {
            _volumes.PublishUnmount(r.Id, v);
        }

        if (r.OomKilled)
        {
            Publish(r, "oom");
        }
        Publish(r, "die", ("exitCode", r.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        entry.SignalExit(r.ExitCode);
        if (r.Spec.AutoRemove)
        {
            await RemoveAfterExitAsync(entry).ConfigureAwait(false);
        }
        else if (ShouldRestart(r))
        {
            ScheduleRestart(entry);
        }
    }

    private async Task RemoveAfterExitAsync(Entry entry)
    {
        try
        {
            // Docker's --rm removes the container's anonymous volumes too.
            await RemoveAsync(entry.Record.Id, force: true, removeVolumes: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            // Already removed by a concurrent `rm -f`: that is the outcome --rm wanted.
        }
        catch (Exception ex)
        {
            LogCleanupFailed(_logger, entry.Record.Id, ex.Message);
        }
    }

    // ---------------------------------------------------------------- stop / kill

    /// <summary>Sends the stop signal, waits up to <paramref name="timeoutSeconds"/>, then SIGKILL. False when not running (304).</summary>
    public async Task<bool> StopAsync(string reference, int? timeoutSeconds, string? signal, CancellationToken ct)
    {
        var entry = Find(reference);
        var r = entry.Record;
        if (r.State == ContainerState.Restarting)
        {
            // Waiting for its next restart: stopping cancels it.
            await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (r.State == ContainerState.Restarting)
                {
                    r.ManuallyStopped = true;
                    r.State = ContainerState.Exited;
                    _store.Save(r);
                    return true;
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            return false;
        }
        Task exited = entry.NextExit;
        r.ManuallyStopped = true;
        int sig = Signals.Parse(signal ?? r.Spec.StopSignal ?? "SIGTERM");
        int timeout = timeoutSeconds ?? r.Spec.StopTimeout ?? 10;
        Publish(r, "kill", ("signal", sig.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await TryKillAsync(r.Id, sig, ct).ConfigureAwait(false);
        await ThawIfPausedAsync(r, ct).ConfigureAwait(false);
        if (timeout < 0)
        {
            await exited.WaitAsync(ct).ConfigureAwait(false);
        }
        else if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(timeout), ct)).ConfigureAwait(false) != exited)
        {
            await TryKillAsync(r.Id, 9, ct).ConfigureAwait(false);
            await exited.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        }
        Publish(r, "stop");
        return true;
    }

    public async Task KillAsync(string reference, string? signal, CancellationToken ct)
    {
        var entry = Find(reference);
        var r = entry.Record;
        if (r.State is not (ContainerState.Running or ContainerState.Paused))
        {
            throw EngineException.Conflict($"Cannot kill container: {reference}: Container {r.Id} is not running");
        }
        int sig = Signals.Parse(signal ?? "SIGKILL");
        Publish(r, "kill", ("signal", sig.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await _runtime.KillAsync(r.Id, sig, ct).ConfigureAwait(false);
        if (sig == 9)
        {
            await ThawIfPausedAsync(r, ct).ConfigureAwait(false);
        }
    }

    private async Task TryKillAsync(string id, int signal, CancellationToken ct)
    {
        try
        {
            await _runtime.KillAsync(id, signal, ct).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            // Already gone between our check and the signal: the monitor reports the exit.
            LogKillFailed(_logger, id, ex.Message);
        }
    }

    // ---------------------------------------------------------------- wait

    /// <summary>
    /// Registers a waiter now and returns the task that completes with the exit code: condition
    /// "not-running" (default), "next-exit" or "removed".
    /// </summary>
    public Task<int> Wait(string reference, string? condition)
    {
        var entry = Find(reference);
        var r = entry.Record;
        return (condition ?? "not-running") switch
        {
            "" or "not-running" => r.State is ContainerState.Running or ContainerState.Paused or ContainerState.Restarting
                ? entry.NextExit
                : Task.FromResult(r.ExitCode),
            "next-exit" => entry.NextExit,
            "removed" => entry.Removed,
            string c => throw EngineException.Invalid($"invalid condition: \"{c}\""),
        };
    }

    // ---------------------------------------------------------------- remove

    /// <summary>Removes a container; with <paramref name="removeVolumes"/> (<c>rm -v</c>) its anonymous volumes that no other
    /// container uses go too. Named volumes always stay.</summary>
    public async Task RemoveAsync(string reference, bool force, bool removeVolumes, CancellationToken ct)
    {
        var entry = Find(reference);
        var r = entry.Record;
        if (r.State is ContainerState.Running or ContainerState.Paused)
        {
            if (!force)
            {
                throw EngineException.Conflict(
                    $"You cannot remove a running container {r.Id}. Stop the container before attempting removal or force remove");
            }
            Task exited = entry.NextExit;
            await TryKillAsync(r.Id, 9, ct).ConfigureAwait(false);
            await ThawIfPausedAsync(r, ct).ConfigureAwait(false);
            await exited.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        }
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_entries.ContainsKey(r.Id))
            {
                throw EngineException.NotFound("No such container: " + reference);
            }
            r.State = ContainerState.Removing;
            await ReleaseNetworksAsync(r.Id).ConfigureAwait(false);
            string dir = _store.DirectoryOf(r.Id);
            _snapshots.Remove(dir);
            string stateDir = StateDir(r.Id);
            if (Directory.Exists(stateDir))
            {
                Directory.Delete(stateDir, recursive: true);
            }
            _store.Delete(r.Id);
            _entries.TryRemove(r.Id, out _);
            ReleaseName(r.Name, r.Id);
            _volumes.Detach(r.Id, r.Volumes, removeVolumes);
        }
        finally
        {
            entry.Gate.Release();
        }
        Publish(r, "destroy");
        entry.SignalRemoved(r.ExitCode);
    }

    // ---------------------------------------------------------------- restore

    /// <summary>
    /// Loads records and reconciles them with reality: containers whose monitor still runs are re-attached, those
    /// that exited while the daemon was away get their recorded exit code, half-created ones are removed.
    /// </summary>
    public async Task RestoreAsync(CancellationToken ct)
    {
        var (records, orphans) = _store.LoadAll();
        foreach (string dir in orphans)
        {
            LogOrphanRemoved(_logger, dir);
            CleanupDirectory(dir);
        }
        foreach (var r in records)
        {
            var entry = new Entry(r);
            _entries[r.Id] = entry;
            _volumes.Restore(r.Id, r.Volumes);
            lock (_namesLock)
            {
                _names[r.Name] = r.Id;
            }
            if (r.State is not (ContainerState.Running or ContainerState.Paused or ContainerState.Restarting))
            {
                if (r.State == ContainerState.Removing)
                {
                    await RemoveAsync(r.Id, force: true, removeVolumes: r.Spec.AutoRemove, ct).ConfigureAwait(false);
                }
                else
                {
                    RestartAfterDaemonStart(entry);
                }
                continue;
            }
            string stateDir = StateDir(r.Id);
            var session = await MonitorProcess.ConnectAsync(stateDir, ct).ConfigureAwait(false);
            if (session is not null)
            {
                entry.Streams.Bind(session, _shutdown.Token);
                _ = Task.Run(() => SuperviseAsync(entry, session), CancellationToken.None);
                StartHealthChecks(entry, resume: true);
                LogReattached(_logger, r.Id);
                continue;
            }
            var exit = MonitorProcess.ReadExitFile(stateDir);
            if (exit is null)
            {
                // The monitor is gone without a record: make sure nothing is left running, then report it.
                await TryKillAsync(r.Id, 9, ct).ConfigureAwait(false);
                try
                {
                    await _runtime.DeleteAsync(r.Id, force: true, ct).ConfigureAwait(false);
                }
                catch (EngineException ex)
                {
                    LogKillFailed(_logger, r.Id, ex.Message);
                }
                exit = new ExitStatus(-1, false, DateTimeOffset.UtcNow);
            }
            await RecordExitAsync(entry, exit).ConfigureAwait(false);
        }
        await ReconcileNetworkingAsync().ConfigureAwait(false);
    }

    private void Publish(ContainerRecord r, string action, params (string Key, string Value)[] extra)
    {
        var attrs = new Dictionary<string, string>(r.Labels, StringComparer.Ordinal)
        {
            ["image"] = r.Spec.Image,
            ["name"] = r.Name,
        };
        foreach (var (k, v) in extra)
        {
            attrs[k] = v;
        }
        _events.Publish(new EngineEvent("container", action, r.Id, attrs, DateTimeOffset.UtcNow));
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _shutdown.Dispose();
        RemoveEmptyCgroupParents();
    }

    /// <summary>
    /// On shutdown, removes this daemon's cgroup parent in every hierarchy where it no longer holds a container
    /// (rmdir fails with EBUSY where containers still run under their monitors; those stay for the next start).
    /// </summary>
    private void RemoveEmptyCgroupParents()
    {
        if (!Directory.Exists("/sys/fs/cgroup"))
        {
            return;
        }
        var candidates = Directory.EnumerateDirectories("/sys/fs/cgroup")
            .Select(h => Path.Combine(h, _options.CgroupParent))
            .Append(Path.Combine("/sys/fs/cgroup", _options.CgroupParent));
        foreach (string dir in candidates)
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

    /// <summary>In-memory companion of a record: its lock, stdio hub and exit/removal signals.</summary>
    private sealed class Entry(ContainerRecord record)
    {
        private TaskCompletionSource<int> _exit = NewTcs();
        private readonly TaskCompletionSource<int> _removed = NewTcs();

        public ContainerRecord Record { get; } = record;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public ContainerStreams Streams { get; } = new();
        public Task<int> NextExit => Volatile.Read(ref _exit).Task;
        public Task<int> Removed => _removed.Task;

        public TimeSpan RestartBackoff { get; set; }
        public CancellationTokenSource? HealthChecks { get; set; }

        /// <summary>Completes when the last run's monitor process is gone (its `runc delete` done).</summary>
        public Task MonitorGone { get; set; } = Task.CompletedTask;

        public void ResetStreams() => Streams.ResetForNextRun();

        public void ResetExit()
        {
            if (_exit.Task.IsCompleted)
            {
                Volatile.Write(ref _exit, NewTcs());
            }
        }

        public void SignalExit(int code) => Volatile.Read(ref _exit).TrySetResult(code);

        public void SignalRemoved(int code)
        {
            SignalExit(code);
            _removed.TrySetResult(code);
        }

        private static TaskCompletionSource<int> NewTcs() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
