using System.Text.Json.Serialization;

namespace Bulwark.Engine.Metadata;

/// <summary>One layer of a stored image: its blob, diff id, chain id (= snapshot) and unpacked size.</summary>
public sealed record LayerRow
{
    [JsonPropertyName("digest")]
    public required string Digest { get; init; }

    [JsonPropertyName("mediaType")]
    public required string MediaType { get; init; }

    [JsonPropertyName("size")]
    public long Size { get; init; }

    [JsonPropertyName("diffId")]
    public required string DiffId { get; init; }

    [JsonPropertyName("chainId")]
    public required string ChainId { get; init; }

    [JsonPropertyName("unpackedSize")]
    public long UnpackedSize { get; init; }
}
