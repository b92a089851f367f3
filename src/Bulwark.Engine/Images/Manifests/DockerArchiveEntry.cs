using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>One element of a docker-save archive's manifest.json.</summary>
public sealed record DockerArchiveEntry
{
    [JsonPropertyName("Config")]
    public string Config { get; init; } = string.Empty;

    [JsonPropertyName("RepoTags")]
    public List<string>? RepoTags { get; init; }

    [JsonPropertyName("Layers")]
    public List<string>? Layers { get; init; }
}
