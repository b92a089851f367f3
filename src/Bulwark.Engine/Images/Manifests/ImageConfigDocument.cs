using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>The OCI image config blob (the fields Bulwark reads or writes; others are kept in the blob).</summary>
public sealed record ImageConfigDocument
{
    [JsonPropertyName("created")]
    [JsonConverter(typeof(LenientTimeConverter))]
    public DateTimeOffset? Created { get; init; }

    [JsonPropertyName("author")]
    public string? Author { get; init; }

    [JsonPropertyName("architecture")]
    public string? Architecture { get; init; }

    [JsonPropertyName("os")]
    public string? Os { get; init; }

    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    [JsonPropertyName("comment")]
    public string? Comment { get; init; }

    [JsonPropertyName("config")]
    public ContainerConfigDocument? Config { get; init; }

    [JsonPropertyName("rootfs")]
    public RootFsDocument? RootFs { get; init; }

    [JsonPropertyName("history")]
    public List<HistoryDocument>? History { get; init; }
}
