using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>An OCI image manifest (also reads Docker v2 schema 2 manifests, which share the shape).</summary>
public sealed record OciManifest
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; } = 2;

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("config")]
    public OciDescriptor? Config { get; init; }

    [JsonPropertyName("layers")]
    public List<OciDescriptor>? Layers { get; init; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; init; }
}
