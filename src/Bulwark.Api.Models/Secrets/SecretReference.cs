namespace Bulwark.Api.Models.Secrets;

/// <summary>
/// A secret delivered into a container, in a create body's <c>HostConfig.BulwarkSecrets</c> (a Bulwark field; the
/// shape of swarm's SecretReference plus <c>Version</c>). Also echoed by inspect: names and targets, never values.
/// </summary>
public sealed class SecretReference
{
    /// <summary>The secret's name (or id).</summary>
    public string? SecretName { get; set; }
    /// <summary>The version the secret must be at; null = the current one.</summary>
    public long? Version { get; set; }
    public SecretFileTarget? File { get; set; }
}

/// <summary>The file the secret becomes: name under /run/secrets (or /run/secrets/NAME), owner ids and mode.</summary>
public sealed class SecretFileTarget
{
    public string? Name { get; set; }
    public string? UID { get; set; }
    public string? GID { get; set; }
    /// <summary>Permission bits, as a number (0444 octal = 292).</summary>
    public int? Mode { get; set; }
}
