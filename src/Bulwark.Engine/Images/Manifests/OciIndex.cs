using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>An OCI image index (index.json of a layout) or Docker manifest list.</summary>
public sealed record OciIndex
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; } = 2;

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("manifests")]
    public List<OciDescriptor>? Manifests { get; init; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; init; }
}
