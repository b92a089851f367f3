namespace Bulwark.Api.Models.Networks;

/// <summary>Body of <c>POST /networks/create</c>.</summary>
public sealed class NetworkCreateRequest
{
    public string? Name { get; set; }
    public bool? CheckDuplicate { get; set; }
    public string? Driver { get; set; }
    public string? Scope { get; set; }
    public bool? EnableIPv4 { get; set; }
    public bool? EnableIPv6 { get; set; }
    public IpamDto? IPAM { get; set; }
    public bool Internal { get; set; }
    public bool Attachable { get; set; }
    public bool Ingress { get; set; }
    public bool ConfigOnly { get; set; }
    public JsonElement? ConfigFrom { get; set; }
    public Dictionary<string, string>? Options { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

public sealed class IpamDto
{
    public string? Driver { get; set; }
    public List<IpamConfigDto>? Config { get; set; }
    public Dictionary<string, string>? Options { get; set; }
}

public sealed class IpamConfigDto
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Subnet { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IPRange { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Gateway { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? AuxiliaryAddresses { get; set; }
}

/// <summary>Answer of <c>POST /networks/create</c> (201).</summary>
public sealed record NetworkCreateResponse(string Id, string Warning);

/// <summary>A network as list and inspect show it.</summary>
public sealed record NetworkDto
{
    public string Name { get; init; } = "";
    public string Id { get; init; } = "";
    public string Created { get; init; } = "";
    public string Scope { get; init; } = "local";
    public string Driver { get; init; } = "";
    public bool EnableIPv6 { get; init; }
    public IpamDto IPAM { get; init; } = new();
    public bool Internal { get; init; }
    public bool Attachable { get; init; }
    public bool Ingress { get; init; }
    public ConfigFromDto ConfigFrom { get; init; } = new();
    public bool ConfigOnly { get; init; }
    public IReadOnlyDictionary<string, NetworkContainerDto> Containers { get; init; } = new Dictionary<string, NetworkContainerDto>();
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Egress allowlist and counters (bulwark only; absent on networks without egress).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public NetworkEgressDto? BulwarkEgress { get; init; }
}

public sealed record ConfigFromDto
{
    public string Network { get; init; } = "";
}

/// <summary>One container in a network's <c>Containers</c> map.</summary>
public sealed record NetworkContainerDto
{
    public string Name { get; init; } = "";
    public string EndpointID { get; init; } = "";
    public string MacAddress { get; init; } = "";
    /// <summary>"a.b.c.d/nn".</summary>
    public string IPv4Address { get; init; } = "";
    public string IPv6Address { get; init; } = "";
}

/// <summary>Body of <c>POST /networks/{id}/connect</c>.</summary>
public sealed class NetworkConnectRequest
{
    public string? Container { get; set; }
    public EndpointConfig? EndpointConfig { get; set; }
}

/// <summary>Body of <c>POST /networks/{id}/disconnect</c>.</summary>
public sealed class NetworkDisconnectRequest
{
    public string? Container { get; set; }
    public bool Force { get; set; }
}

/// <summary>A container's request for one network (create's NetworkingConfig.EndpointsConfig values, connect's EndpointConfig).</summary>
public sealed class EndpointConfig
{
    public EndpointIpamConfig? IPAMConfig { get; set; }
    public List<string>? Links { get; set; }
    public List<string>? Aliases { get; set; }
    public string? MacAddress { get; set; }
    public Dictionary<string, string>? DriverOpts { get; set; }
    public List<string>? DNSNames { get; set; }
}

public sealed class EndpointIpamConfig
{
    public string? IPv4Address { get; set; }
    public string? IPv6Address { get; set; }
    public List<string>? LinkLocalIPs { get; set; }
}

/// <summary>Create's NetworkingConfig.</summary>
public sealed class NetworkingConfig
{
    public Dictionary<string, EndpointConfig?>? EndpointsConfig { get; set; }
}

/// <summary>Answer of <c>POST /networks/prune</c>.</summary>
public sealed record NetworkPruneResponse(IReadOnlyList<string> NetworksDeleted);
