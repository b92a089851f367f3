using System.Text.Json.Serialization;

namespace Bulwark.Engine.Registry;

/// <summary>A token endpoint's answer (distribution's token spec: "token", or OAuth2's "access_token").</summary>
internal sealed record TokenResponse
{
    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }
}

/// <summary>The registry error body: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}.</summary>
internal sealed record RegistryErrorBody
{
    [JsonPropertyName("errors")]
    public List<RegistryErrorItem>? Errors { get; init; }
}

internal sealed record RegistryErrorItem
{
    [JsonPropertyName("code")]
    public string? Code { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }
}

/// <summary>Only the version fields, to spot schema 1 manifests before reading them as schema 2.</summary>
internal sealed record ManifestHead
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; }

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("manifests")]
    public List<Images.Manifests.OciDescriptor>? Manifests { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowTrailingCommas = true)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegistryErrorBody))]
[JsonSerializable(typeof(ManifestHead))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
