namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A seccomp rule for a set of syscall names.</summary>
public sealed record OciSyscall
{
    public required IReadOnlyList<string> Names { get; init; }
    public required string Action { get; init; }
    public uint? ErrnoRet { get; init; }
    public IReadOnlyList<OciSeccompArg>? Args { get; init; }
}
