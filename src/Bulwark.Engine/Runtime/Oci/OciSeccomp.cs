namespace Bulwark.Engine.Runtime.Oci;

/// <summary>The seccomp filter in OCI form.</summary>
public sealed record OciSeccomp
{
    public required string DefaultAction { get; init; }
    public uint? DefaultErrnoRet { get; init; }
    public IReadOnlyList<string>? Architectures { get; init; }
    public IReadOnlyList<string>? Flags { get; init; }
    public IReadOnlyList<OciSyscall> Syscalls { get; init; } = [];
}
