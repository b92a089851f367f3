namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A seccomp argument comparison.</summary>
public sealed record OciSeccompArg
{
    public uint Index { get; init; }
    public ulong Value { get; init; }
    public ulong ValueTwo { get; init; }
    public required string Op { get; init; }
}
