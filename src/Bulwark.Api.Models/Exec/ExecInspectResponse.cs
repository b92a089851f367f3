namespace Bulwark.Api.Models.Exec;

/// <summary><c>GET /exec/{id}/json</c>; ExitCode is null while the process runs.</summary>
public sealed record ExecInspectResponse
{
    public required string ID { get; init; }
    public bool Running { get; init; }
    public int? ExitCode { get; init; }
    public required ExecProcessConfig ProcessConfig { get; init; }
    public bool OpenStdin { get; init; }
    public bool OpenStderr { get; init; }
    public bool OpenStdout { get; init; }
    public bool CanRemove { get; init; }
    public required string ContainerID { get; init; }
    public string DetachKeys { get; init; } = "";
    public int Pid { get; init; }
}

public sealed record ExecProcessConfig
{
    [JsonPropertyName("tty")]
    public bool Tty { get; init; }

    [JsonPropertyName("entrypoint")]
    public string Entrypoint { get; init; } = "";

    [JsonPropertyName("arguments")]
    public IReadOnlyList<string> Arguments { get; init; } = [];

    [JsonPropertyName("privileged")]
    public bool Privileged { get; init; }

    [JsonPropertyName("user")]
    public string User { get; init; } = "";
}
