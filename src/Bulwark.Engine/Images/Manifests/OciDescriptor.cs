using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>An OCI content descriptor.</summary>
public sealed record OciDescriptor
{
    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("digest")]
    public string Digest { get; init; } = string.Empty;

    [JsonPropertyName("size")]
    public long Size { get; init; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("platform")]
    public OciPlatform? Platform { get; init; }
}
