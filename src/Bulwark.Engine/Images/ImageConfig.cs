namespace Bulwark.Engine.Images;

/// <summary>The runtime-relevant part of an OCI image config ("config" object).</summary>
public sealed record ImageConfig
{
    public string? User { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public string? WorkingDir { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? StopSignal { get; init; }
    /// <summary>The image's HEALTHCHECK, if any.</summary>
    public ImageHealthcheck? Healthcheck { get; init; }
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
    public IReadOnlyList<string> Volumes { get; init; } = [];
}

/// <summary>An image's HEALTHCHECK: test (["CMD", …], ["CMD-SHELL", line] or ["NONE"]) and timing in nanoseconds (0 = default).</summary>
public sealed record ImageHealthcheck(IReadOnlyList<string> Test, long IntervalNs, long TimeoutNs, long StartPeriodNs, int Retries);
