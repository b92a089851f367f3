namespace Bulwark.Api.Models.System;

/// <summary><c>GET /version</c>.</summary>
public sealed record VersionResponse
{
    public required PlatformInfo Platform { get; init; }
    public required IReadOnlyList<ComponentVersion> Components { get; init; }
    public required string Version { get; init; }
    public required string ApiVersion { get; init; }
    public required string MinAPIVersion { get; init; }
    public string GitCommit { get; init; } = "";
    public string GoVersion { get; init; } = "";
    public string Os { get; init; } = "linux";
    public string Arch { get; init; } = "amd64";
    public string KernelVersion { get; init; } = "";
    public string BuildTime { get; init; } = "";
}

public sealed record PlatformInfo(string Name);

public sealed record ComponentVersion(string Name, string Version, IReadOnlyDictionary<string, string>? Details);
