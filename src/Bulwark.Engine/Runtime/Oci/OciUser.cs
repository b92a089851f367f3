namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Numeric identity of the init process.</summary>
public sealed record OciUser
{
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public uint? Umask { get; init; }
    public IReadOnlyList<uint>? AdditionalGids { get; init; }
}
