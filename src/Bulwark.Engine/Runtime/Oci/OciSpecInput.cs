using Bulwark.Engine.Containers;
using Bulwark.Engine.Images;
using Bulwark.Engine.Security;

namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Everything <see cref="OciSpecBuilder"/> needs to write one container's config.json.</summary>
public sealed record OciSpecInput(
    ContainerSpec Spec,
    ImageConfig Image,
    SecurityProfile Profile,
    string RootfsPath,
    string ContainerId,
    string Hostname,
    string CgroupsPath)
{
    /// <summary>Host files bind-mounted at /etc/hostname, /etc/hosts, /etc/resolv.conf (null = not mounted).</summary>
    public string? HostnameFile { get; init; }
    public string? HostsFile { get; init; }
    public string? ResolvConfFile { get; init; }

    /// <summary>
    /// User-defined networks: a shell script run as the createRuntime hook (state JSON on stdin) that wires the fresh
    /// network namespace runc made; null = the fresh namespace stays empty (or the host's is used).
    /// </summary>
    public string? NetworkSetupScript { get; init; }

    /// <summary>The daemon's hard resource limits; null = read from the current process.</summary>
    public HostRlimits? HostLimits { get; init; }

    /// <summary>User-namespace mappings (later: --userns-remap); null = no user namespace.</summary>
    public IReadOnlyList<OciIdMapping>? UidMappings { get; init; }
    public IReadOnlyList<OciIdMapping>? GidMappings { get; init; }

    /// <summary>Host binary mounted read-only at <see cref="OciSpecBuilder.InitPath"/> for --init (tini); null = --init refused.</summary>
    public string? InitBinary { get; init; }

    /// <summary>Volumes resolved to their host directories (<c>_data</c>): bind-mounted nosuid,nodev.</summary>
    public IReadOnlyList<Volumes.VolumeAttachment> Volumes { get; init; } = [];

    /// <summary>Host directory of the container's secrets tmpfs, bound read-only at /run/secrets; null = no secrets.</summary>
    public string? SecretsDir { get; init; }
}
