namespace Bulwark.Api.Models.Containers;

/// <summary>Body of <c>POST /containers/create</c>: Docker's Config with HostConfig and NetworkingConfig inline.</summary>
public sealed class ContainerCreateRequest
{
    public string? Hostname { get; set; }
    public string? Domainname { get; set; }
    public string? User { get; set; }
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public bool Tty { get; set; }
    public bool OpenStdin { get; set; }
    public bool StdinOnce { get; set; }
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public List<string>? Entrypoint { get; set; }
    public string? Image { get; set; }
    public string? WorkingDir { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, JsonElement>? Volumes { get; set; }
    public Dictionary<string, JsonElement>? ExposedPorts { get; set; }
    public string? StopSignal { get; set; }
    public int? StopTimeout { get; set; }
    public HealthConfig? Healthcheck { get; set; }
    public bool? NetworkDisabled { get; set; }
    public HostConfig? HostConfig { get; set; }
    public Networks.NetworkingConfig? NetworkingConfig { get; set; }
}

public sealed class HealthConfig
{
    public List<string>? Test { get; set; }
    public long Interval { get; set; }
    public long Timeout { get; set; }
    public long StartPeriod { get; set; }
    public int Retries { get; set; }
}
