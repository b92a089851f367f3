namespace Bulwark.Engine.Security.Seccomp;

/// <summary>A seccomp profile in Docker's JSON format (what `--security-opt seccomp=` carries).</summary>
public sealed record DockerSeccompProfile
{
    public required string DefaultAction { get; init; }
    public uint? DefaultErrnoRet { get; init; }
    public IReadOnlyList<string>? Architectures { get; init; }
    public IReadOnlyList<DockerSeccompArchMap>? ArchMap { get; init; }
    public IReadOnlyList<string>? Flags { get; init; }
    public IReadOnlyList<DockerSeccompSyscall> Syscalls { get; init; } = [];
}
