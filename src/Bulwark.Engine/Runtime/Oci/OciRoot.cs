namespace Bulwark.Engine.Runtime.Oci;

/// <summary>The container's root filesystem.</summary>
public sealed record OciRoot
{
    public required string Path { get; init; }
    public bool Readonly { get; init; }
}
