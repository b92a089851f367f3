namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>Arguments of one bulwark-monitor process.</summary>
public sealed record MonitorStartOptions
{
    /// <summary>Path of the bulwark-monitor binary.</summary>
    public required string MonitorPath { get; init; }
    public required string ContainerId { get; init; }
    /// <summary>OCI bundle directory (holds config.json).</summary>
    public required string BundleDir { get; init; }
    /// <summary>runc/crun binary.</summary>
    public required string RuntimePath { get; init; }
    /// <summary>The runtime's --root.</summary>
    public required string RuntimeRoot { get; init; }
    /// <summary>Where the monitor keeps monitor.sock, monitor.pid, init.pid, exit.</summary>
    public required string StateDir { get; init; }
    /// <summary>json-file log path.</summary>
    public required string LogPath { get; init; }
    public long LogMaxSizeBytes { get; init; } = -1;
    public int LogMaxFiles { get; init; } = 1;
    public bool Tty { get; init; }
    public bool Stdin { get; init; }
    /// <summary>The container's memory cgroup directory, for the OOM check (memory.oom_control or memory.events).</summary>
    public string? OomCgroupDir { get; init; }
    /// <summary>Exec mode: a runtime-spec process.json to run inside the already running container (no log, no delete).</summary>
    public string? ExecProcessPath { get; init; }
}
