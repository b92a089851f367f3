using System.Text.Json.Serialization;

namespace Bulwark.Audit.Sbom;

/// <summary>cargo-auditable's embedded JSON.</summary>
public sealed class CargoAuditableInfo
{
    [JsonPropertyName("packages")]
    public List<CargoAuditablePackage>? Packages { get; set; }
}
