using System.Text.Json.Serialization;

namespace Bulwark.Engine.Security.Seccomp;

/// <summary>Source-generated serializer for Docker-format seccomp profiles.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(DockerSeccompProfile))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext;
