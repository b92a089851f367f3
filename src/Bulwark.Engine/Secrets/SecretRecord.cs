namespace Bulwark.Engine.Secrets;

/// <summary>A secret's metadata. Its value is never part of this record: it is stored encrypted beside it.</summary>
public sealed record SecretRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public long Version { get; init; } = 1;
}
