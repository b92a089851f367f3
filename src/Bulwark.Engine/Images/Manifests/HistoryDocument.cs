using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>One "history" entry of an image config.</summary>
public sealed record HistoryDocument
{
    [JsonPropertyName("created")]
    [JsonConverter(typeof(LenientTimeConverter))]
    public DateTimeOffset? Created { get; init; }

    [JsonPropertyName("created_by")]
    public string? CreatedBy { get; init; }

    [JsonPropertyName("author")]
    public string? Author { get; init; }

    [JsonPropertyName("comment")]
    public string? Comment { get; init; }

    [JsonPropertyName("empty_layer")]
    public bool? EmptyLayer { get; init; }
}
