namespace Bulwark.Api.Models.Images;

/// <summary>One item of <c>GET /images/json</c>.</summary>
public sealed record ImageSummary
{
    public required string Id { get; init; }
    public string ParentId { get; init; } = "";
    public IReadOnlyList<string> RepoTags { get; init; } = [];
    public IReadOnlyList<string> RepoDigests { get; init; } = [];
    public long Created { get; init; }
    public long Size { get; init; }
    public long SharedSize { get; init; } = -1;
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public long Containers { get; init; } = -1;
}
