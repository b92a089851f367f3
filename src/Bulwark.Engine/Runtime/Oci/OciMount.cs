namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A mount in the container.</summary>
public sealed record OciMount
{
    public required string Destination { get; init; }
    public string? Type { get; init; }
    public string? Source { get; init; }
    public IReadOnlyList<string>? Options { get; init; }
}
