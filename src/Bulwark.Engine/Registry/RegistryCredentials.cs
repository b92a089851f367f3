namespace Bulwark.Engine.Registry;

/// <summary>Credentials a client sent for one pull or push (username/password, or an identity token).</summary>
public sealed record RegistryCredentials(string? Username, string? Password, string? IdentityToken = null)
{
    public bool IsEmpty => string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(IdentityToken);

    public override string ToString() => $"RegistryCredentials {{ Username = {Username} }}";
}
