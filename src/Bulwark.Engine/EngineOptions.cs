namespace Bulwark.Engine;

/// <summary>Where the engine keeps its state and which helpers it runs. Validated at start.</summary>
public sealed record EngineOptions
{
    /// <summary>Persistent state: content, metadata.db, snapshots, containers.</summary>
    public required string DataRoot { get; init; }

    /// <summary>Runtime state that dies with the machine: runtime root, monitor sockets. Kept short (unix socket paths).</summary>
    public required string ExecRoot { get; init; }

    /// <summary>Path of the bulwark-monitor binary.</summary>
    public required string MonitorPath { get; init; }

    /// <summary>"runc", "crun" or null for automatic choice.</summary>
    public string? PreferredRuntime { get; init; }

    /// <summary>cgroup parent under which every container's cgroup is created.</summary>
    public string CgroupParent { get; init; } = "bulwark";

    /// <summary>Default json-file options for containers that set none.</summary>
    public long DefaultLogMaxSize { get; init; } = 10 * 1024 * 1024;
    public int DefaultLogMaxFile { get; init; } = 3;

    /// <summary>The daemon's policy (daemon.json "policy"); the default refuses every risky request.</summary>
    public Security.Policy.DaemonPolicy Policy { get; init; } = new();

    /// <summary>The user-namespace mapping every container gets (daemon.json "userns-remap"); null = remapping off.</summary>
    public Security.UserNamespaces.IdMapping? UserNamespace { get; init; }

    /// <summary>Per-container id ranges (daemon.json "userns-ranges"); null = every remapped container gets <see cref="UserNamespace"/>.</summary>
    public Security.UserNamespaces.IdRangeAllocator? IdRanges { get; init; }

    /// <summary>The API socket: protected from bind mounts like the data and exec roots.</summary>
    public string? ApiSocketPath { get; init; }

    /// <summary>Host binary bind-mounted read-only as /sbin/init-bulwark for --init; null = first of tini-static, tini, catatonit.</summary>
    public string? InitBinary { get; init; }

    /// <summary>daemon.json "ip": the host address ports are published on when -p names none (Docker's 0.0.0.0 is not the default).</summary>
    public System.Net.IPAddress DefaultPublishAddress { get; init; } = System.Net.IPAddress.Loopback;

    /// <summary>daemon.json "userland-proxy": false redirects local connections to published TCP ports straight into
    /// the container over a port link (<see cref="Ports.Redirect.PortRedirector"/>); true (the default) keeps them on
    /// the daemon's forwarders.</summary>
    public bool UserlandProxy { get; init; } = true;

    public const int MaxExecRootLength = 36;
}
