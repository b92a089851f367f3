namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Capability sets, by name (CAP_CHOWN).</summary>
public sealed record OciCapabilities
{
    public IReadOnlyList<string> Bounding { get; init; } = [];
    public IReadOnlyList<string> Effective { get; init; } = [];
    public IReadOnlyList<string> Inheritable { get; init; } = [];
    public IReadOnlyList<string> Permitted { get; init; } = [];
    public IReadOnlyList<string> Ambient { get; init; } = [];
}
