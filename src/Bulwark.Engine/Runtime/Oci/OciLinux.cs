namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Linux-specific configuration.</summary>
public sealed record OciLinux
{
    public IReadOnlyList<OciIdMapping>? UidMappings { get; init; }
    public IReadOnlyList<OciIdMapping>? GidMappings { get; init; }
    public IReadOnlyDictionary<string, string>? Sysctl { get; init; }
    public OciResources? Resources { get; init; }
    public string? CgroupsPath { get; init; }
    public IReadOnlyList<OciNamespace> Namespaces { get; init; } = [];
    public OciSeccomp? Seccomp { get; init; }
    public IReadOnlyList<string>? MaskedPaths { get; init; }
    public IReadOnlyList<string>? ReadonlyPaths { get; init; }
    public string? MountLabel { get; init; }
    public IReadOnlyList<OciDevice>? Devices { get; init; }
}
