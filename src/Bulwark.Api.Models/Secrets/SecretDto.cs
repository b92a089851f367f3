namespace Bulwark.Api.Models.Secrets;

/// <summary>A secret as listed and inspected: never its data.</summary>
public sealed record SecretDto
{
    public required string ID { get; init; }
    public required SecretVersion Version { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
    public required SecretSpecDto Spec { get; init; }
    /// <summary>Bulwark: every stored version (Index and when it was added), oldest first; <see cref="Version"/> is the one shown.</summary>
    public IReadOnlyList<SecretVersionDto> Versions { get; init; } = [];
}

/// <summary>One stored version of a secret (never its value).</summary>
public sealed record SecretVersionDto(long Index, string CreatedAt);

/// <summary>Body of the answer to <c>POST /secrets/rotate-key</c>: how many secret versions were re-encrypted.</summary>
public sealed record SecretRotateKeyResponse(int Reencrypted);

public sealed record SecretVersion(long Index);

public sealed record SecretSpecDto
{
    public required string Name { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

public sealed record SecretCreateResponse(string ID);
