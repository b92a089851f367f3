namespace Bulwark.Api.Models.Containers;

/// <summary><c>POST /containers/prune</c> and <c>/images/prune</c> answers.</summary>
public sealed record PruneResponse
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ContainersDeleted { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Images.ImageDeleteResponseItem>? ImagesDeleted { get; init; }

    public long SpaceReclaimed { get; init; }
}
