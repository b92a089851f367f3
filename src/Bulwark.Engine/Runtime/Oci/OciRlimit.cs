namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A POSIX resource limit (RLIMIT_NOFILE).</summary>
public sealed record OciRlimit
{
    public required string Type { get; init; }
    public ulong Hard { get; init; }
    public ulong Soft { get; init; }
}
