namespace Bulwark.Engine.Registry;

/// <summary>
/// <c>docker login</c>: checks credentials against a registry as dockerd does: <c>GET /v2/</c>, then the challenge it
/// answers (Basic with the credentials, or a Bearer token fetched with them) and the ping again with that authorization.
/// </summary>
public static class RegistryLogin
{
    /// <summary>The registry host of a login server address ("https://host:5000/v1/" → "host:5000"); Docker Hub for empty.</summary>
    public static string Domain(string? serverAddress)
    {
        string s = (serverAddress ?? "").Trim();
        if (s.Length == 0 || s.Contains("index.docker.io", StringComparison.Ordinal) || s == "docker.io")
        {
            return "registry-1.docker.io";
        }
        if (Uri.TryCreate(s, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri.Authority;
        }
        return s.TrimEnd('/');
    }

    /// <summary>Null when the registry accepts the credentials; else its refusal, as dockerd words it.</summary>
    public static async Task<string?> CheckAsync(string serverAddress, RegistryCredentials credentials, RegistryOptions options, CancellationToken ct)
    {
        using var client = new RegistryClient(Domain(serverAddress), options, credentials, push: false);
        return await client.LoginAsync(ct).ConfigureAwait(false);
    }
}
