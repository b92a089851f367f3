namespace Bulwark.Engine.Containers;

/// <summary>What the engine remembers about one container; persisted as <c>containers/&lt;id&gt;/container.json</c>.</summary>
public sealed class ContainerRecord
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required DateTimeOffset Created { get; init; }
    /// <summary>Replaced by <c>update</c> (resources, restart policy).</summary>
    public required ContainerSpec Spec { get; set; }
    public required string ImageId { get; init; }
    /// <summary>The executable and its arguments after the image's Entrypoint/Cmd were merged in.</summary>
    public required string Path { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public required string Hostname { get; init; }
    public required string User { get; init; }
    public required string WorkingDir { get; init; }
    public required IReadOnlyList<string> LayerDirs { get; init; }
    /// <summary>The container's user-namespace mapping; null = the host's namespace.</summary>
    public Security.UserNamespaces.IdMapping? IdMap { get; init; }
    /// <summary>LayerDirs are the stored (unshifted) layers, mounted idmapped into <see cref="IdMap"/>; false = used as they are.</summary>
    public bool IdmappedLayers { get; init; }
    /// <summary>Host sources of the binds and volumes the bundle takes from idmap/b&lt;n&gt; (n = index), attached idmapped at start.</summary>
    public IReadOnlyList<string> IdmappedSources { get; init; } = [];
    /// <summary>The mapping the snapshotter idmaps the layers with, or null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Security.UserNamespaces.IdMapping? LayerIdMap => IdmappedLayers ? IdMap : null;
    public required string Runtime { get; init; }
    public required EffectiveProfile Profile { get; set; }
    /// <summary>The volumes mounted into the container (the spec's and the image's), resolved at create.</summary>
    public IReadOnlyList<Volumes.VolumeAttachment> Volumes { get; init; } = [];
    /// <summary>The secrets delivered at /run/secrets at each start (names and targets; never values).</summary>
    public IReadOnlyList<Bulwark.Engine.Containers.Secrets.SecretAttachment> Secrets { get; init; } = [];
    /// <summary>"80/tcp" keys: the image's EXPOSE, --expose and the ports of -p (Docker's Config.ExposedPorts).</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
    /// <summary>The host ports bound while the container runs (empty otherwise); kept so a daemon restart binds the same ones.</summary>
    public IReadOnlyList<Ports.PublishedPort> PublishedPorts { get; set; } = [];
    public ContainerState State { get; set; } = ContainerState.Created;
    public int Pid { get; set; }
    public int ExitCode { get; set; }
    public bool OomKilled { get; set; }
    public string Error { get; set; } = "";
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public int RestartCount { get; set; }
    /// <summary>Stopped by a user (stop/kill through the API): restart policies other than "always on daemon start" leave it down.</summary>
    public bool ManuallyStopped { get; set; }
    /// <summary>Null when the container has no health check.</summary>
    public HealthState? Health { get; set; }
    /// <summary>Set while the container is isolated (bulwark isolate): what to restore on undo.</summary>
    public Bulwark.Engine.Containers.Quarantine.QuarantineState? Quarantine { get; set; }
}

/// <summary>The security posture the container actually gets, shown by inspect.</summary>
public sealed record EffectiveProfile
{
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public bool NoNewPrivileges { get; init; }
    public string Seccomp { get; init; } = "";
    public int SeccompSyscalls { get; init; }
    public IReadOnlyList<string> MaskedPaths { get; init; } = [];
    public IReadOnlyList<string> ReadonlyPaths { get; init; } = [];
    public long PidsLimit { get; init; }
    public string UserNamespace { get; init; } = "";
    /// <summary>"0 100000 65536" style lines of /proc/self/uid_map and gid_map as the container sees them; empty = host.</summary>
    public string UidMap { get; init; } = "";
    public string GidMap { get; init; } = "";
    /// <summary>The LSM confinement: "none (no LSM active on this host)", "apparmor:&lt;profile&gt;" or "selinux:&lt;label&gt;".</summary>
    public string Lsm { get; init; } = "";
    public bool ReadonlyRootfs { get; init; }
    /// <summary>Limits in force: memory, memory+swap, cpus (quota/period), cpu shares, cpuset, nofile, shm size, oom_score_adj.</summary>
    public IReadOnlyDictionary<string, string> Limits { get; init; } = new Dictionary<string, string>();
    public bool Init { get; init; }
    public IReadOnlyList<string> Devices { get; init; } = [];
}

/// <summary>"starting", "healthy" or "unhealthy", the current failure streak and the last five probe results.</summary>
public sealed class HealthState
{
    public string Status { get; set; } = "starting";
    public int FailingStreak { get; set; }
    public List<HealthProbeResult> Log { get; init; } = [];
}

public sealed record HealthProbeResult(DateTimeOffset Start, DateTimeOffset End, int ExitCode, string Output);
