namespace Bulwark.Api.Models.Images;

/// <summary>The decoded <c>X-Registry-Auth</c> header of pull and push (base64url JSON; <c>e30=</c> is <c>{}</c>).</summary>
public sealed record RegistryAuthConfig
{
    [JsonPropertyName("username")]
    public string? Username { get; init; }

    [JsonPropertyName("password")]
    public string? Password { get; init; }

    /// <summary>base64("user:password"), as some clients send instead of the two fields.</summary>
    [JsonPropertyName("auth")]
    public string? Auth { get; init; }

    [JsonPropertyName("serveraddress")]
    public string? ServerAddress { get; init; }

    [JsonPropertyName("identitytoken")]
    public string? IdentityToken { get; init; }

    [JsonPropertyName("registrytoken")]
    public string? RegistryToken { get; init; }
}
