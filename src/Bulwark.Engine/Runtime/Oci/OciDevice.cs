namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A device node the runtime creates (or, in a user namespace, bind-mounts) in the container.</summary>
public sealed record OciDevice
{
    public required string Path { get; init; }
    /// <summary>"c" or "b".</summary>
    public required string Type { get; init; }
    public long Major { get; init; }
    public long Minor { get; init; }
    public uint? FileMode { get; init; }
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
}
