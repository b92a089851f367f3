namespace Bulwark.Engine.Security.Seccomp;

/// <summary>A native architecture and the sub-architectures enabled with it.</summary>
public sealed record DockerSeccompArchMap
{
    public required string Architecture { get; init; }
    public IReadOnlyList<string> SubArchitectures { get; init; } = [];
}
