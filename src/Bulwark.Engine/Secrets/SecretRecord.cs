namespace Bulwark.Engine.Secrets;

/// <summary>
/// A secret's metadata at one version (<see cref="Version"/>; the latest unless a version was asked for). Its value is
/// never part of this record: each version is stored encrypted beside it.
/// </summary>
public sealed record SecretRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>When the first version was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the latest version was created.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
    public long Version { get; init; } = 1;
    /// <summary>Every stored version, oldest first (filled in by the store; empty inside an envelope).</summary>
    public IReadOnlyList<SecretVersionInfo> Versions { get; init; } = [];

    /// <summary>NAME@VERSION.</summary>
    public string VersionedName => Name + "@" + Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One stored version of a secret: its number and when it was added (never its value).</summary>
public sealed record SecretVersionInfo(long Version, DateTimeOffset CreatedAt);
