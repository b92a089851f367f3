using System.Text.Json.Serialization;

namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Source-generated serializer for OCI runtime documents.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(OciSpec))]
[JsonSerializable(typeof(OciRuntimeState))]
[JsonSerializable(typeof(OciProcess))]
[JsonSerializable(typeof(OciResources))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
