using Bulwark.Engine.Volumes;

namespace Bulwark.Engine.Containers;

/// <summary>
/// What a caller asks for when creating a container, in the engine's neutral vocabulary.
/// Null means "not set: use the image's value or the engine's default".
/// </summary>
public sealed record ContainerSpec
{
    public required string Image { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    /// <summary>Supplementary groups (<c>--group-add</c>): numbers, or names resolved in the image's /etc/group at start.</summary>
    public IReadOnlyList<string> GroupAdd { get; init; } = [];
    public string? Hostname { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public bool Tty { get; init; }
    /// <summary>Initial terminal size (rows, columns) when Tty; null = let the first resize set it.</summary>
    public TerminalSize? ConsoleSize { get; init; }
    public bool OpenStdin { get; init; }
    public bool StdinOnce { get; init; }
    public string? StopSignal { get; init; }
    public int? StopTimeout { get; init; }
    public bool AutoRemove { get; init; }
    public RestartPolicySpec Restart { get; init; } = new();
    /// <summary>Null: no health check.</summary>
    public HealthcheckSpec? Healthcheck { get; init; }
    public StorageSpec Storage { get; init; } = new();
    public ResourceSpec Resources { get; init; } = new();
    public SecuritySpec Security { get; init; } = new();
    public NetworkSpec Network { get; init; } = new();
    /// <summary>-p, -P and --expose.</summary>
    public Ports.PortSpec Ports { get; init; } = new();
    public LogSpec Log { get; init; } = new();
    /// <summary>Secrets delivered into a tmpfs at /run/secrets at each start.</summary>
    public IReadOnlyList<Bulwark.Engine.Containers.Secrets.SecretMountSpec> Secrets { get; init; } = [];
}

/// <summary>Filesystem requests: read-only root, bind mounts, volumes, tmpfs mounts.</summary>
public sealed record StorageSpec
{
    public bool ReadOnlyRootfs { get; init; }
    public IReadOnlyList<BindMount> Binds { get; init; } = [];
    /// <summary>Named (created on demand) and anonymous volumes; the image's VOLUMEs are added at create.</summary>
    public IReadOnlyList<VolumeMountSpec> Volumes { get; init; } = [];
    /// <summary>--volumes-from entries as given ("CONTAINER[:ro|:rw]"); expanded into Binds and Volumes at create.</summary>
    public IReadOnlyList<string> VolumesFrom { get; init; } = [];
    /// <summary>Destination → options ("rw,size=10m").</summary>
    public IReadOnlyDictionary<string, string> Tmpfs { get; init; } = new Dictionary<string, string>();
    public long? ShmSizeBytes { get; init; }
}

public sealed record BindMount(string Source, string Destination, bool ReadOnly, string Propagation = "rprivate");

/// <summary>cgroup limits. Null = engine default; PidsLimit -1 = explicitly unlimited.</summary>
public sealed record ResourceSpec
{
    public long? MemoryBytes { get; init; }
    public long? MemorySwapBytes { get; init; }
    /// <summary>Soft limit (memory.low on cgroup v2).</summary>
    public long? MemoryReservationBytes { get; init; }
    public long? NanoCpus { get; init; }
    public long? CpuShares { get; init; }
    public long? CpuQuota { get; init; }
    public long? CpuPeriod { get; init; }
    public string? CpusetCpus { get; init; }
    public long? PidsLimit { get; init; }
    public int? OomScoreAdj { get; init; }
    public IReadOnlyList<Ulimit> Ulimits { get; init; } = [];
}

public sealed record Ulimit(string Name, long Soft, long Hard);

/// <summary>Security-relevant requests, checked by policy before anything is built.</summary>
public sealed record SecuritySpec
{
    public bool Privileged { get; init; }
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    /// <summary>Raw security options as the user gave them ("no-new-privileges", "seccomp=…", "apparmor=…").</summary>
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];
    public IReadOnlyList<string>? MaskedPaths { get; init; }
    public IReadOnlyList<string>? ReadonlyPaths { get; init; }
    public string? PidMode { get; init; }
    public string? IpcMode { get; init; }
    public string? UtsMode { get; init; }
    public string? UsernsMode { get; init; }
    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Devices { get; init; } = [];
    /// <summary>HostConfig.DeviceCgroupRules as given ("c 1:3 mr"): extra device cgroup allow entries.</summary>
    public IReadOnlyList<string> DeviceCgroupRules { get; init; } = [];
    public bool Init { get; init; }
    /// <summary>HostConfig.Isolation as given: "" or "default" (the only technology on Linux).</summary>
    public string Isolation { get; init; } = "";
}

/// <summary>Network mode: "none" (default), "host" (policy-gated), or the name of a user-defined network.</summary>
public sealed record NetworkSpec
{
    public string Mode { get; init; } = "none";
    /// <summary>
    /// True when the request named the mode (<c>--network none</c>, <c>NetworkDisabled</c>); false when it left it to
    /// the default (absent, "" or "default"). Both are loopback only, but only the default may be <c>network connect</c>ed
    /// later (docker-py and compose create first and connect after); an explicit "none" stays private, as in Docker.
    /// Records written before this field read as false (the default: connectable, as they were).
    /// </summary>
    public bool Explicit { get; init; }
    /// <summary>Per-network endpoint requests (aliases, fixed address) by network name or id (Docker's EndpointsConfig).</summary>
    public IReadOnlyDictionary<string, Networks.EndpointRequest> Endpoints { get; init; } = new Dictionary<string, Networks.EndpointRequest>();
    /// <summary>HostConfig.Links as given (on a user network they are links of the primary endpoint).</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
}

/// <summary>Log driver and rotation: "json-file" and "local" store output in the container's json log (rotated by size);
/// "none" stores nothing and the logs cannot be read back.</summary>
public sealed record LogSpec
{
    public string Driver { get; init; } = "json-file";
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Stored => Driver != "none";
    public long MaxSizeBytes { get; init; } = -1;
    public int MaxFile { get; init; } = 1;
}

/// <summary>Docker restart policy: "no", "always", "unless-stopped", "on-failure" (with an optional retry limit).</summary>
public sealed record RestartPolicySpec
{
    public string Name { get; init; } = "no";
    public int MaximumRetryCount { get; init; }
}

/// <summary>A health check: the command ("CMD" args or "CMD-SHELL" line) and its timing.</summary>
public sealed record HealthcheckSpec
{
    public required IReadOnlyList<string> Command { get; init; }
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan StartPeriod { get; init; }
    public int Retries { get; init; } = 3;
}

/// <summary>A terminal's rows and columns.</summary>
public sealed record TerminalSize(int Rows, int Columns);
