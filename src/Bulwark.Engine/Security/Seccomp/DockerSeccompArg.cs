namespace Bulwark.Engine.Security.Seccomp;

/// <summary>An argument comparison of a Docker-format rule.</summary>
public sealed record DockerSeccompArg
{
    public uint Index { get; init; }
    public ulong Value { get; init; }
    public ulong ValueTwo { get; init; }
    public required string Op { get; init; }
}
