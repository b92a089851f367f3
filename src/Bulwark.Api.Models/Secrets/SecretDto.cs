namespace Bulwark.Api.Models.Secrets;

/// <summary>A secret as listed and inspected: never its data.</summary>
public sealed record SecretDto
{
    public required string ID { get; init; }
    public required SecretVersion Version { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
    public required SecretSpecDto Spec { get; init; }
}

public sealed record SecretVersion(long Index);

public sealed record SecretSpecDto
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

public sealed record SecretCreateResponse(string ID);
