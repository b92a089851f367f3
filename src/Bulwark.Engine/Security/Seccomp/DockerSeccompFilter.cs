namespace Bulwark.Engine.Security.Seccomp;

/// <summary>Conditions of a Docker-format rule: capabilities (all required), Go architecture names, minimum kernel.</summary>
public sealed record DockerSeccompFilter
{
    public IReadOnlyList<string>? Caps { get; init; }
    public IReadOnlyList<string>? Arches { get; init; }
    public string? MinKernel { get; init; }
}
