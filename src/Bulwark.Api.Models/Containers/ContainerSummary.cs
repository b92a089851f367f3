namespace Bulwark.Api.Models.Containers;

/// <summary>One item of <c>GET /containers/json</c>.</summary>
public sealed record ContainerSummary
{
    public required string Id { get; init; }
    public required IReadOnlyList<string> Names { get; init; }
    public required string Image { get; init; }
    public required string ImageID { get; init; }
    public required string Command { get; init; }
    public long Created { get; init; }
    public IReadOnlyList<PortDto> Ports { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public required string State { get; init; }
    public required string Status { get; init; }
    public SummaryHostConfig HostConfig { get; init; } = new();
    public IReadOnlyList<MountPoint> Mounts { get; init; } = [];
    public SummaryNetworkSettings NetworkSettings { get; init; } = new();

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRw { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRootFs { get; init; }
}

public sealed record SummaryHostConfig
{
    public string NetworkMode { get; init; } = "none";
}

public sealed record SummaryNetworkSettings
{
    public IReadOnlyDictionary<string, EndpointSettings> Networks { get; init; } = new Dictionary<string, EndpointSettings>();
}

public sealed record EndpointSettings
{
    public Networks.EndpointIpamConfig? IPAMConfig { get; init; }
    public IReadOnlyList<string>? Links { get; init; }
    public IReadOnlyList<string>? Aliases { get; init; }
    public string NetworkID { get; init; } = "";
    public string EndpointID { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public int IPPrefixLen { get; init; }
    public string IPv6Gateway { get; init; } = "";
    public string GlobalIPv6Address { get; init; } = "";
    public int GlobalIPv6PrefixLen { get; init; }
    public string MacAddress { get; init; } = "";
    public IReadOnlyDictionary<string, string>? DriverOpts { get; init; }
}

public sealed record MountPoint
{
    public string Type { get; init; } = "bind";

    /// <summary>Volumes only: the volume's name (and <see cref="Driver"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    public string Source { get; init; } = "";
    public string Destination { get; init; } = "";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Driver { get; init; }

    public string Mode { get; init; } = "";
    public bool RW { get; init; }
    public string Propagation { get; init; } = "rprivate";
}
