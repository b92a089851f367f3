namespace Bulwark.Engine.Security.Seccomp;

/// <summary>A rule of a Docker-format profile.</summary>
public sealed record DockerSeccompSyscall
{
    /// <summary>Legacy single-name form.</summary>
    public string? Name { get; init; }
    public IReadOnlyList<string>? Names { get; init; }
    public required string Action { get; init; }
    public uint? ErrnoRet { get; init; }
    public IReadOnlyList<DockerSeccompArg>? Args { get; init; }
    public DockerSeccompFilter? Includes { get; init; }
    public DockerSeccompFilter? Excludes { get; init; }
}
