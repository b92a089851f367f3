namespace Bulwark.Api.Models.Audit;

/// <summary>Source-generated JSON for the audit log's lines and its API (camelCase keys, absent fields left out).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(List<AuditEntry>))]
[JsonSerializable(typeof(AuditVerifyResponse))]
public sealed partial class AuditJsonContext : JsonSerializerContext;
