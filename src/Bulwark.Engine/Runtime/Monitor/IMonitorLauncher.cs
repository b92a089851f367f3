namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>Starts monitors, re-attaches to them after a daemon restart, and reads what they leave behind.</summary>
public interface IMonitorLauncher
{
    /// <summary>Spawns a monitor, which starts the process; returns once it runs (throws with the runtime's error text).</summary>
    Task<IMonitorSession> StartAsync(MonitorStartOptions options, CancellationToken ct);

    /// <summary>Re-attaches to the monitor whose state directory this is; null when none answers.</summary>
    Task<IMonitorSession?> ConnectAsync(string stateDir, CancellationToken ct);

    /// <summary>The exit record the monitor wrote, or null.</summary>
    ExitStatus? ReadExitFile(string stateDir);

    /// <summary>Every live monitor process whose state directory is under <paramref name="stateRoot"/>, found in /proc.</summary>
    IReadOnlyList<MonitorProcessInfo> FindMonitors(string stateRoot);
}

/// <summary>A live monitor process: its pid, the container it serves and its state directory.</summary>
public sealed record MonitorProcessInfo(int Pid, string ContainerId, string StateDir);
