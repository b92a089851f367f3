namespace Bulwark.Api.Models.System;

/// <summary><c>GET /info</c>: the fields the docker CLI prints.</summary>
public sealed record InfoResponse
{
    public required string ID { get; init; }
    public int Containers { get; init; }
    public int ContainersRunning { get; init; }
    public int ContainersPaused { get; init; }
    public int ContainersStopped { get; init; }
    public int Images { get; init; }
    public required string Driver { get; init; }
    public IReadOnlyList<IReadOnlyList<string>> DriverStatus { get; init; } = [];
    public PluginsInfo Plugins { get; init; } = new();
    public bool MemoryLimit { get; init; } = true;
    public bool SwapLimit { get; init; } = true;
    public bool CpuCfsPeriod { get; init; } = true;
    public bool CpuCfsQuota { get; init; } = true;
    public bool CPUShares { get; init; } = true;
    public bool CPUSet { get; init; } = true;
    public bool PidsLimit { get; init; } = true;
    public bool IPv4Forwarding { get; init; }
    public bool Debug { get; init; }
    public int NFd { get; init; }
    public int NGoroutines { get; init; }
    public required string SystemTime { get; init; }
    public string LoggingDriver { get; init; } = "json-file";
    public string CgroupDriver { get; init; } = "cgroupfs";
    public string CgroupVersion { get; init; } = "1";
    public int NEventsListener { get; init; }
    public required string KernelVersion { get; init; }
    public required string OperatingSystem { get; init; }
    public string OSVersion { get; init; } = "";
    public string OSType { get; init; } = "linux";
    public string Architecture { get; init; } = "x86_64";
    public int NCPU { get; init; }
    public long MemTotal { get; init; }
    public required string DockerRootDir { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public bool ExperimentalBuild { get; init; }
    public required string ServerVersion { get; init; }
    public IReadOnlyDictionary<string, RuntimeInfoDto> Runtimes { get; init; } = new Dictionary<string, RuntimeInfoDto>();
    public required string DefaultRuntime { get; init; }
    public SwarmInfo Swarm { get; init; } = new();
    public bool LiveRestoreEnabled { get; init; } = true;
    public string Isolation { get; init; } = "";
    public string InitBinary { get; init; } = "";
    public CommitInfo ContainerdCommit { get; init; } = new();
    public CommitInfo RuncCommit { get; init; } = new();
    public CommitInfo InitCommit { get; init; } = new();
    public IReadOnlyList<string> SecurityOptions { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

public sealed record PluginsInfo
{
    public IReadOnlyList<string> Volume { get; init; } = [];
    public IReadOnlyList<string> Network { get; init; } = ["none", "host"];
    public IReadOnlyList<string>? Authorization { get; init; }
    public IReadOnlyList<string> Log { get; init; } = ["json-file"];
}

public sealed record RuntimeInfoDto(string Path);

public sealed record SwarmInfo
{
    public string NodeID { get; init; } = "";
    public string NodeAddr { get; init; } = "";
    public string LocalNodeState { get; init; } = "inactive";
    public bool ControlAvailable { get; init; }
    public string Error { get; init; } = "";
}

public sealed record CommitInfo
{
    public string ID { get; init; } = "";
}
