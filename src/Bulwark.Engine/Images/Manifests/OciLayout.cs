using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>The oci-layout marker file.</summary>
public sealed record OciLayout
{
    [JsonPropertyName("imageLayoutVersion")]
    public string ImageLayoutVersion { get; init; } = "1.0.0";
}
