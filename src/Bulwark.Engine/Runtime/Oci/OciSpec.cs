namespace Bulwark.Engine.Runtime.Oci;

/// <summary>The OCI runtime spec document (config.json), runtime-spec 1.0.2.</summary>
public sealed record OciSpec
{
    public string OciVersion { get; init; } = "1.0.2";
    public required OciProcess Process { get; init; }
    public required OciRoot Root { get; init; }
    public string? Hostname { get; init; }
    public IReadOnlyList<OciMount> Mounts { get; init; } = [];
    public required OciLinux Linux { get; init; }
    public OciHooks? Hooks { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}
