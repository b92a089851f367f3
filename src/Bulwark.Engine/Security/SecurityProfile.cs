using Bulwark.Engine.Runtime.Oci;

namespace Bulwark.Engine.Security;

/// <summary>The resolved, policy-checked security settings of one container.</summary>
public sealed record SecurityProfile
{
    /// <summary>Capability names ("CAP_CHOWN"), used for the bounding, effective and permitted sets.</summary>
    public required IReadOnlyList<string> Capabilities { get; init; }
    public bool NoNewPrivileges { get; init; } = true;
    /// <summary>The OCI seccomp filter, or null for unconfined.</summary>
    public OciSeccomp? Seccomp { get; init; }
    /// <summary>"bulwark-default", "unconfined" or "custom".</summary>
    public required string SeccompProfileName { get; init; }
    /// <summary>Number of distinct syscall names the filter allows (0 when unconfined).</summary>
    public int SeccompSyscallCount { get; init; }
    public required IReadOnlyList<string> MaskedPaths { get; init; }
    public required IReadOnlyList<string> ReadonlyPaths { get; init; }
    /// <summary>pids cgroup limit; null = unlimited.</summary>
    public long? PidsLimit { get; init; }
    public string? ApparmorProfile { get; init; }
    public string? SelinuxLabel { get; init; }
    /// <summary>--userns host (policy-allowed): no user namespace even when the daemon remaps.</summary>
    public bool HostUserNamespace { get; init; }
    /// <summary>--privileged (policy-allowed): every bounding capability, no seccomp filter, no masked paths.</summary>
    public bool Privileged { get; init; }
    /// <summary>Host devices passed in with --device (policy-allowed).</summary>
    public IReadOnlyList<DeviceRequest> Devices { get; init; } = [];
    /// <summary>--device-cgroup-rule entries, allowed in the device cgroup after the default list.</summary>
    public IReadOnlyList<DeviceCgroupRule> DeviceCgroupRules { get; init; } = [];
}
