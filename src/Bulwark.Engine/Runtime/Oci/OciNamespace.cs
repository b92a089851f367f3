namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A namespace to create (no path) or join (path).</summary>
public sealed record OciNamespace
{
    public required string Type { get; init; }
    public string? Path { get; init; }
}
