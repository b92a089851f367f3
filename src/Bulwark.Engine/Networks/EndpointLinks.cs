using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Networks;

/// <summary>--link entries on user networks, kept as "target:alias": the alias resolves to the target's address on the
/// same network, for the linking container only.</summary>
public static class EndpointLinks
{
    /// <summary>"name" or "name:alias" (a leading '/' dropped) → "name:alias"; the alias must be a valid host name.</summary>
    public static string Normalize(string link)
    {
        string[] parts = link.Split(':');
        string name = parts[0].TrimStart('/');
        string alias = parts.Length > 1 ? parts[1].TrimStart('/') : name;
        if (parts.Length > 2 || name.Length == 0 || !HostsFile.IsValidName(alias))
        {
            throw EngineException.Invalid($"invalid link \"{link}\": expected name or name:alias");
        }
        return name + ":" + alias;
    }

    /// <summary>The target of a normalised link.</summary>
    public static string Target(string link) => link[..link.IndexOf(':', StringComparison.Ordinal)];

    /// <summary>The alias of a normalised link.</summary>
    public static string Alias(string link) => link[(link.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
