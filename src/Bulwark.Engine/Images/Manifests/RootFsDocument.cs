using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>The "rootfs" object of an image config: the diff ids, bottom first.</summary>
public sealed record RootFsDocument
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "layers";

    [JsonPropertyName("diff_ids")]
    public List<string>? DiffIds { get; init; }
}
