namespace Bulwark.Api.Models.Volumes;

/// <summary>Docker's Volume object (<c>GET /volumes/{name}</c>, list entries, <c>system df</c>).</summary>
public sealed record VolumeDto
{
    public required string Name { get; init; }
    public string Driver { get; init; } = "local";
    public required string Mountpoint { get; init; }
    /// <summary>RFC 3339, seconds precision.</summary>
    public required string CreatedAt { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public string Scope { get; init; } = "local";

    /// <summary>Only in <c>system df</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VolumeUsageData? UsageData { get; init; }
}

public sealed record VolumeUsageData(long Size, long RefCount);

/// <summary><c>GET /volumes</c>.</summary>
public sealed record VolumeListResponse
{
    public IReadOnlyList<VolumeDto> Volumes { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary><c>POST /volumes/create</c>.</summary>
public sealed class VolumeCreateRequest
{
    public string? Name { get; set; }
    public string? Driver { get; set; }
    public Dictionary<string, string>? DriverOpts { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public JsonElement? ClusterVolumeSpec { get; set; }
}

/// <summary><c>POST /volumes/prune</c>.</summary>
public sealed record VolumePruneResponse
{
    public IReadOnlyList<string> VolumesDeleted { get; init; } = [];
    public long SpaceReclaimed { get; init; }
}
