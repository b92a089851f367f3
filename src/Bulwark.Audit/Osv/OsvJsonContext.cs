using System.Text.Json.Serialization;

namespace Bulwark.Audit.Osv;

/// <summary>Source-generated (NativeAOT-safe) JSON for OSV records and the database's own files.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OsvVulnerability))]
[JsonSerializable(typeof(List<OsvVulnerability>))]
[JsonSerializable(typeof(OsvDatabaseMetadata))]
internal sealed partial class OsvJsonContext : JsonSerializerContext;
