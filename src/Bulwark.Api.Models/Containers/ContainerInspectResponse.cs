namespace Bulwark.Api.Models.Containers;

/// <summary><c>GET /containers/{id}/json</c>; <see cref="SecurityProfile"/> is Bulwark's addition (tolerated by clients).</summary>
public sealed record ContainerInspectResponse
{
    public required string Id { get; init; }
    public required string Created { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required ContainerStateDto State { get; init; }
    public required string Image { get; init; }
    public string ResolvConfPath { get; init; } = "";
    public string HostnamePath { get; init; } = "";
    public string HostsPath { get; init; } = "";
    public string LogPath { get; init; } = "";
    public required string Name { get; init; }
    public int RestartCount { get; init; }
    public string Driver { get; init; } = "overlay";
    public string Platform { get; init; } = "linux";
    public string MountLabel { get; init; } = "";
    public string ProcessLabel { get; init; } = "";
    public string AppArmorProfile { get; init; } = "";
    public IReadOnlyList<string>? ExecIDs { get; init; }
    public required HostConfig HostConfig { get; init; }
    public GraphDriverDto GraphDriver { get; init; } = new();
    public IReadOnlyList<MountPoint> Mounts { get; init; } = [];
    public required ContainerConfigDto Config { get; init; }
    public NetworkSettingsDto NetworkSettings { get; init; } = new();
    public SecurityProfileDto? SecurityProfile { get; init; }
}

public sealed record ContainerStateDto
{
    public required string Status { get; init; }
    public bool Running { get; init; }
    public bool Paused { get; init; }
    public bool Restarting { get; init; }
    public bool OOMKilled { get; init; }
    public bool Dead { get; init; }
    public int Pid { get; init; }
    public int ExitCode { get; init; }
    public string Error { get; init; } = "";
    public string StartedAt { get; init; } = "0001-01-01T00:00:00Z";
    public string FinishedAt { get; init; } = "0001-01-01T00:00:00Z";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HealthDto? Health { get; init; }
}

public sealed record HealthDto
{
    public required string Status { get; init; }
    public int FailingStreak { get; init; }
    public IReadOnlyList<HealthLogDto> Log { get; init; } = [];
}

public sealed record HealthLogDto(string Start, string End, int ExitCode, string Output);

public sealed record GraphDriverDto
{
    public string Name { get; init; } = "overlay";
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
}

public sealed record ContainerConfigDto
{
    public string Hostname { get; init; } = "";
    public string Domainname { get; init; } = "";
    public string User { get; init; } = "";
    public bool AttachStdin { get; init; }
    public bool AttachStdout { get; init; }
    public bool AttachStderr { get; init; }
    public bool Tty { get; init; }
    public bool OpenStdin { get; init; }
    public bool StdinOnce { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string>? Cmd { get; init; }
    public required string Image { get; init; }
    public string WorkingDir { get; init; } = "";
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? StopSignal { get; init; }
    public int? StopTimeout { get; init; }

    /// <summary>"80/tcp" → {}: the image's EXPOSE, --expose and the ports of -p; null when there are none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, JsonElement>? ExposedPorts { get; init; }

    /// <summary>Anonymous volume paths (the image's VOLUMEs and <c>-v /path</c>); null when there are none.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Volumes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HealthConfig? Healthcheck { get; init; }
}

public sealed record NetworkSettingsDto
{
    public string SandboxID { get; init; } = "";
    public string SandboxKey { get; init; } = "";
    /// <summary>Docker's legacy top-level fields describe the default "bridge" network only: empty on user networks.</summary>
    public string Bridge { get; init; } = "";
    public string EndpointID { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public int IPPrefixLen { get; init; }
    public string MacAddress { get; init; } = "";
    public string GlobalIPv6Address { get; init; } = "";
    public int GlobalIPv6PrefixLen { get; init; }
    public string IPv6Gateway { get; init; } = "";
    /// <summary>While running: every exposed port → its host bindings, or null when not published; {} otherwise.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PortBindingDto>?> Ports { get; init; } = new Dictionary<string, IReadOnlyList<PortBindingDto>?>();
    public IReadOnlyDictionary<string, EndpointSettings> Networks { get; init; } = new Dictionary<string, EndpointSettings>();
}

/// <summary>The effective security profile, so every security decision is visible in inspect.</summary>
public sealed record SecurityProfileDto
{
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public bool NoNewPrivileges { get; init; }
    public string Seccomp { get; init; } = "";
    public int SeccompSyscalls { get; init; }
    public IReadOnlyList<string> MaskedPaths { get; init; } = [];
    public IReadOnlyList<string> ReadonlyPaths { get; init; } = [];
    public long PidsLimit { get; init; }
    public bool ReadOnlyRootfs { get; init; }
    public string UserNamespace { get; init; } = "";
    /// <summary>/proc/self/uid_map and gid_map as seen inside ("0 100000 65536"); empty = host namespace.</summary>
    public string UidMap { get; init; } = "";
    public string GidMap { get; init; } = "";
    /// <summary>LSM confinement ("none (no LSM is active on this host)", "apparmor:…", "selinux:…").</summary>
    public string Lsm { get; init; } = "";
    /// <summary>Limits in force: pids, memory, memory+swap, cpus, cpu-shares, cpuset-cpus, ulimit-*, shm-size, oom-score-adj.</summary>
    public IReadOnlyDictionary<string, string> Limits { get; init; } = new Dictionary<string, string>();
    public bool Init { get; init; }
    public IReadOnlyList<string> Devices { get; init; } = [];
    public string Runtime { get; init; } = "";
}
