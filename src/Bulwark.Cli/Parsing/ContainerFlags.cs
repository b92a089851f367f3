namespace Bulwark.Cli.Parsing;

/// <summary>The <c>run</c>/<c>create</c> flags as typed on the command line, before mapping to the create body.</summary>
internal sealed record ContainerFlags
{
    public required string Image { get; init; }
    public IReadOnlyList<string> Command { get; init; } = [];
    public bool Detach { get; init; }
    public bool Remove { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string> EnvFiles { get; init; } = [];
    public string? WorkingDir { get; init; }
    public string? User { get; init; }
    public IReadOnlyList<string> Volumes { get; init; } = [];
    public IReadOnlyList<string> Tmpfs { get; init; } = [];
    public bool ReadOnly { get; init; }
    public string? Memory { get; init; }
    public string? MemorySwap { get; init; }
    public string? MemoryReservation { get; init; }
    public string? Cpus { get; init; }
    public long CpuShares { get; init; }
    public string? CpusetCpus { get; init; }
    public string? CpusetMems { get; init; }
    public long? PidsLimit { get; init; }
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];
    public string? Network { get; init; }
    public IReadOnlyList<string> NetworkAliases { get; init; } = [];
    public string? Ip { get; init; }
    public string? Ip6 { get; init; }
    public string? MacAddress { get; init; }
    /// <summary>--link NAME[:ALIAS].</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
    /// <summary>-p: [hostip:][hostport:]containerport[/protocol].</summary>
    public IReadOnlyList<string> Publish { get; init; } = [];
    /// <summary>-P: every exposed port on a kernel-chosen host port.</summary>
    public bool PublishAll { get; init; }
    public IReadOnlyList<string> Expose { get; init; } = [];
    public bool Privileged { get; init; }
    public string? Hostname { get; init; }
    public bool Interactive { get; init; }
    public bool Tty { get; init; }
    public IReadOnlyList<string> Labels { get; init; } = [];
    public string? Entrypoint { get; init; }
    public IReadOnlyList<string> Ulimits { get; init; } = [];
    public bool Init { get; init; }
    public string? LogDriver { get; init; }
    public IReadOnlyList<string> LogOpts { get; init; } = [];
    public string? Userns { get; init; }
    public string? StopSignal { get; init; }
    public int? StopTimeout { get; init; }
    public string? ShmSize { get; init; }
    public int OomScoreAdj { get; init; }
    public bool OomKillDisable { get; init; }
    public IReadOnlyList<string> Sysctls { get; init; } = [];
    public IReadOnlyList<string> Devices { get; init; } = [];
    public IReadOnlyList<string> DeviceCgroupRules { get; init; } = [];
    public IReadOnlyList<string> VolumesFrom { get; init; } = [];
    public string? Restart { get; init; }
    public string? Pid { get; init; }
    public string? Ipc { get; init; }
    public string? Uts { get; init; }
    public string? Runtime { get; init; }
    public IReadOnlyList<string> GroupAdd { get; init; } = [];
    public IReadOnlyList<string> Secrets { get; init; } = [];
}
