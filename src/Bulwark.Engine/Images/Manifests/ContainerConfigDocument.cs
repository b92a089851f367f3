using System.Text.Json.Serialization;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>The "config" object of an image config blob (Docker's capitalised field names).</summary>
public sealed record ContainerConfigDocument
{
    [JsonPropertyName("User")]
    public string? User { get; init; }

    [JsonPropertyName("ExposedPorts")]
    public Dictionary<string, EmptyObject>? ExposedPorts { get; init; }

    [JsonPropertyName("Env")]
    public List<string>? Env { get; init; }

    [JsonPropertyName("Entrypoint")]
    public List<string>? Entrypoint { get; init; }

    [JsonPropertyName("Cmd")]
    public List<string>? Cmd { get; init; }

    [JsonPropertyName("Volumes")]
    public Dictionary<string, EmptyObject>? Volumes { get; init; }

    [JsonPropertyName("WorkingDir")]
    public string? WorkingDir { get; init; }

    [JsonPropertyName("Labels")]
    public Dictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("StopSignal")]
    public string? StopSignal { get; init; }

    [JsonPropertyName("Healthcheck")]
    public HealthcheckDocument? Healthcheck { get; init; }
}

/// <summary>HEALTHCHECK as an image config stores it (durations in nanoseconds).</summary>
public sealed record HealthcheckDocument
{
    [JsonPropertyName("Test")]
    public List<string>? Test { get; init; }

    [JsonPropertyName("Interval")]
    public long Interval { get; init; }

    [JsonPropertyName("Timeout")]
    public long Timeout { get; init; }

    [JsonPropertyName("StartPeriod")]
    public long StartPeriod { get; init; }

    [JsonPropertyName("Retries")]
    public int Retries { get; init; }
}
