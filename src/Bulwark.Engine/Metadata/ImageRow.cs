namespace Bulwark.Engine.Metadata;

/// <summary>One row of the images table. The config JSON itself lives in the content store (ConfigDigest = Id).</summary>
public sealed record ImageRow
{
    public required string Id { get; init; }
    public required string ManifestDigest { get; init; }
    public required string ManifestMediaType { get; init; }
    /// <summary>True when the manifest came from the source (OCI layout); false when Bulwark synthesised it.</summary>
    public bool ManifestFromSource { get; init; }
    public DateTimeOffset? Created { get; init; }
    public DateTimeOffset Added { get; init; }
    public required IReadOnlyList<LayerRow> Layers { get; init; }
}
