namespace Bulwark.Api.Models.Images;

/// <summary>The answer to <c>POST /auth</c> when the registry accepted the credentials.</summary>
public sealed record AuthResponse
{
    public string Status { get; init; } = "Login Succeeded";

    public string IdentityToken { get; init; } = "";
}
