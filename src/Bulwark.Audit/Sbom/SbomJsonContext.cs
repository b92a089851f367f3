using System.Text.Json.Serialization;

namespace Bulwark.Audit.Sbom;

/// <summary>Source-generated (NativeAOT-safe) JSON for the embedded dependency lists.</summary>
[JsonSerializable(typeof(CargoAuditableInfo))]
internal sealed partial class SbomJsonContext : JsonSerializerContext;
