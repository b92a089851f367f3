namespace Bulwark.Api.Models.Containers;

/// <summary>One host side of a port binding, Docker's <c>{"HostIp": "127.0.0.1", "HostPort": "8080"}</c>
/// (HostConfig.PortBindings and NetworkSettings.Ports; an empty HostPort asks for a kernel-chosen port).</summary>
public sealed record PortBindingDto
{
    public string HostIp { get; init; } = "";
    public string HostPort { get; init; } = "";
}

/// <summary>One item of a list entry's <c>Ports</c>: <c>{"IP":"127.0.0.1","PrivatePort":80,"PublicPort":49153,"Type":"tcp"}</c>;
/// an exposed port that is not published has no IP and no PublicPort.</summary>
public sealed record PortDto
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IP { get; init; }

    public int PrivatePort { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int PublicPort { get; init; }

    public string Type { get; init; } = "tcp";
}
