namespace Bulwark.Api.Models.Containers;

/// <summary>Docker's HostConfig. Absent and zero mean "not set" (Docker.DotNet omits default values).</summary>
public sealed class HostConfig
{
    public List<string>? Binds { get; set; }
    public LogConfig? LogConfig { get; set; }
    public string? NetworkMode { get; set; }
    public RestartPolicy? RestartPolicy { get; set; }
    public bool AutoRemove { get; set; }
    public List<string>? CapAdd { get; set; }
    public List<string>? CapDrop { get; set; }
    public string? CgroupnsMode { get; set; }
    public string? IpcMode { get; set; }
    public long OomScoreAdj { get; set; }
    public string? PidMode { get; set; }
    public bool Privileged { get; set; }
    public bool ReadonlyRootfs { get; set; }
    public List<string>? SecurityOpt { get; set; }
    public string? UTSMode { get; set; }
    public string? UsernsMode { get; set; }
    public long ShmSize { get; set; }
    public string? Runtime { get; set; }
    public List<int>? ConsoleSize { get; set; }
    public long CpuShares { get; set; }
    public long Memory { get; set; }
    public long NanoCpus { get; set; }
    public string? CgroupParent { get; set; }
    public long CpuPeriod { get; set; }
    public long CpuQuota { get; set; }
    public string? CpusetCpus { get; set; }
    public string? CpusetMems { get; set; }
    public List<DeviceMapping>? Devices { get; set; }
    public List<string>? DeviceCgroupRules { get; set; }
    public long MemoryReservation { get; set; }
    public long MemorySwap { get; set; }
    public long? MemorySwappiness { get; set; }
    public bool? OomKillDisable { get; set; }
    public long? PidsLimit { get; set; }
    public List<UlimitDto>? Ulimits { get; set; }
    public Dictionary<string, string>? Tmpfs { get; set; }
    public Dictionary<string, string>? Sysctls { get; set; }
    public List<string>? MaskedPaths { get; set; }
    public List<string>? ReadonlyPaths { get; set; }
    public bool? Init { get; set; }
    public List<MountDto>? Mounts { get; set; }
    public Dictionary<string, List<PortBindingDto>?>? PortBindings { get; set; }
    public bool PublishAllPorts { get; set; }
    public List<string>? ExtraHosts { get; set; }
    public List<string>? Dns { get; set; }
    public List<string>? GroupAdd { get; set; }
    public List<string>? VolumesFrom { get; set; }
    public List<string>? Links { get; set; }
    public string? VolumeDriver { get; set; }
    public string? Isolation { get; set; }
    public string? Cgroup { get; set; }
    public string? ContainerIDFile { get; set; }
    /// <summary>Bulwark: secrets delivered at /run/secrets (see docs/COMPATIBILITY.md); never sent when absent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Secrets.SecretReference>? BulwarkSecrets { get; set; }
}

public sealed class LogConfig
{
    public string? Type { get; set; }
    public Dictionary<string, string>? Config { get; set; }
}

public sealed class RestartPolicy
{
    public string? Name { get; set; }
    public int MaximumRetryCount { get; set; }
}

public sealed class DeviceMapping
{
    public string? PathOnHost { get; set; }
    public string? PathInContainer { get; set; }
    public string? CgroupPermissions { get; set; }
}

public sealed class UlimitDto
{
    public string? Name { get; set; }
    public long Soft { get; set; }
    public long Hard { get; set; }
}

/// <summary>One <c>HostConfig.Mounts</c> entry (<c>--mount</c>). Fields we do not know land in <c>Unknown</c> and are refused by name.</summary>
public sealed class MountDto
{
    public string? Type { get; set; }
    public string? Source { get; set; }
    public string? Target { get; set; }
    public bool ReadOnly { get; set; }
    public string? Consistency { get; set; }
    public MountBindOptions? BindOptions { get; set; }
    public MountVolumeOptions? VolumeOptions { get; set; }
    public MountTmpfsOptions? TmpfsOptions { get; set; }
    public JsonElement? ClusterOptions { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class MountBindOptions
{
    public string? Propagation { get; set; }
    public bool NonRecursive { get; set; }
    public bool CreateMountpoint { get; set; }
    public bool ReadOnlyNonRecursive { get; set; }
    public bool ReadOnlyForceRecursive { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class MountVolumeOptions
{
    public bool NoCopy { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public MountDriverConfig? DriverConfig { get; set; }
    public string? Subpath { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}

public sealed class MountDriverConfig
{
    public string? Name { get; set; }
    public Dictionary<string, string>? Options { get; set; }
}

public sealed class MountTmpfsOptions
{
    public long SizeBytes { get; set; }
    public uint Mode { get; set; }
    public List<List<string>>? Options { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unknown { get; set; }
}
