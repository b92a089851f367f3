namespace Bulwark.Api.Models.Images;

/// <summary><c>GET /images/{name}/json</c>.</summary>
public sealed record ImageInspectResponse
{
    public required string Id { get; init; }
    public IReadOnlyList<string> RepoTags { get; init; } = [];
    public IReadOnlyList<string> RepoDigests { get; init; } = [];
    public string Parent { get; init; } = "";
    public string Comment { get; init; } = "";
    public string? Created { get; init; }
    public string DockerVersion { get; init; } = "";
    public string Author { get; init; } = "";
    public required ImageConfigDto Config { get; init; }

    /// <summary>Only below API 1.45 (docker-compose 1.29 reads <c>ContainerConfig.Volumes</c> when it recreates a container).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ImageConfigDto? ContainerConfig { get; init; }

    public string Architecture { get; init; } = "amd64";
    public string Os { get; init; } = "linux";
    public long Size { get; init; }
    public GraphDriverInfo GraphDriver { get; init; } = new();
    public required RootFsDto RootFS { get; init; }
}

public sealed record ImageConfigDto
{
    public string User { get; init; } = "";
    public IReadOnlyList<string>? Env { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public string WorkingDir { get; init; } = "";
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public string? StopSignal { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? ExposedPorts { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? Volumes { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Containers.HealthConfig? Healthcheck { get; init; }
}

public sealed record GraphDriverInfo
{
    public string Name { get; init; } = "overlay";
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
}

public sealed record RootFsDto
{
    public string Type { get; init; } = "layers";
    public IReadOnlyList<string> Layers { get; init; } = [];
}
