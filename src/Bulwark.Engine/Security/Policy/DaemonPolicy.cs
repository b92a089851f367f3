namespace Bulwark.Engine.Security.Policy;

/// <summary>
/// What this daemon allows containers to ask for (daemon.json <c>"policy"</c>). Every default is the safe choice:
/// relaxing one is a conscious edit of the configuration.
/// </summary>
public sealed record DaemonPolicy
{
    /// <summary>Capabilities no container gets unless <see cref="CapabilitiesAllowed"/> is written out explicitly.</summary>
    public static readonly IReadOnlyList<string> DangerousCapabilities =
    [
        "CAP_SYS_ADMIN", "CAP_SYS_MODULE", "CAP_SYS_PTRACE", "CAP_SYS_RAWIO", "CAP_SYS_BOOT", "CAP_SYS_TIME",
        "CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE", "CAP_NET_ADMIN", "CAP_BPF", "CAP_PERFMON", "CAP_DAC_READ_SEARCH",
        "CAP_SYSLOG", "CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_SYS_PACCT", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Host paths no bind mount may use, besides the daemon's own socket, data root and exec root.</summary>
    public static readonly IReadOnlyList<string> DefaultForbiddenBindSources =
    [
        "/", "/etc", "/proc", "/sys", "/dev", "/boot", "/var/run/docker.sock", "/run/docker.sock",
    ];

    /// <summary>allow-privileged: --privileged is accepted (it still gets Bulwark's hardening; see docs/SECURITY.md).</summary>
    public bool AllowPrivileged { get; init; }

    /// <summary>allow-host-namespaces: --pid/--ipc/--uts/--userns/--network host.</summary>
    public bool AllowHostNamespaces { get; init; }

    /// <summary>capabilities-allowed: the capabilities a container may end up with; null = the daemon's bounding set minus <see cref="DangerousCapabilities"/>.</summary>
    public IReadOnlyList<string>? CapabilitiesAllowed { get; init; }

    /// <summary>require-non-root-user: the container's user must not be root (uid 0).</summary>
    public bool RequireNonRootUser { get; init; }

    /// <summary>require-read-only-rootfs: --read-only is mandatory.</summary>
    public bool RequireReadOnlyRootfs { get; init; }

    /// <summary>require-memory-limit: --memory is mandatory.</summary>
    public bool RequireMemoryLimit { get; init; }

    /// <summary>seccomp-unconfined-allowed: --security-opt seccomp=unconfined is accepted.</summary>
    public bool SeccompUnconfinedAllowed { get; init; }

    /// <summary>forbidden-bind-sources: host paths refused as bind sources (their parents and, except "/", their children too).</summary>
    public IReadOnlyList<string> ForbiddenBindSources { get; init; } = DefaultForbiddenBindSources;

    /// <summary>unmapped-binds: host binds are not idmapped into the container's range (its root is not the bind's owner).</summary>
    public bool UnmappedBinds { get; init; }

    /// <summary>allowed-devices: host device paths --device may name (default none).</summary>
    public IReadOnlyList<string> AllowedDevices { get; init; } = [];

    /// <summary>published-ports: host addresses, host-port ranges and privileged ports -p may use.</summary>
    public Ports.PublishedPortsPolicy PublishedPorts { get; init; } = new();

    /// <summary>scan: refuse images with vulnerabilities above a severity (null = no scan policy).</summary>
    public ScanPolicy? Scan { get; init; }

    /// <summary>The capability allowlist in force for a host bounding set.</summary>
    public IReadOnlySet<string> EffectiveCapabilitiesAllowed(HostSecurity host)
    {
        if (CapabilitiesAllowed is { } explicitList)
        {
            return explicitList.Select(CapabilityNames.Normalize).ToHashSet(StringComparer.Ordinal);
        }

        var set = new HashSet<string>(host.BoundingCapabilities, StringComparer.Ordinal);
        set.ExceptWith(DangerousCapabilities);
        return set;
    }

    /// <summary>One-line summary for <c>info</c> in the name=x,k=v form of SecurityOptions.</summary>
    public string Describe()
    {
        var parts = new List<string> { "name=policy" };
        parts.Add("allow-privileged=" + Lower(AllowPrivileged));
        parts.Add("allow-host-namespaces=" + Lower(AllowHostNamespaces));
        parts.Add("seccomp-unconfined-allowed=" + Lower(SeccompUnconfinedAllowed));
        parts.Add("require-non-root-user=" + Lower(RequireNonRootUser));
        parts.Add("require-read-only-rootfs=" + Lower(RequireReadOnlyRootfs));
        parts.Add("require-memory-limit=" + Lower(RequireMemoryLimit));
        parts.Add("capabilities-allowed=" + (CapabilitiesAllowed is null ? "default" : "custom"));
        parts.Add("allowed-devices=" + AllowedDevices.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Scan is not null)
        {
            parts.Add("scan-max-severity=" + Scan.MaxSeverity);
        }

        return string.Join(',', parts);
    }

    private static string Lower(bool b) => b ? "true" : "false";
}
