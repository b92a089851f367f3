using System.Text.Json.Serialization;

namespace Bulwark.Audit.Sbom;

/// <summary>One crate in cargo-auditable's list.</summary>
public sealed class CargoAuditablePackage
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("version")]
    public string? Version { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }
}
