namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Memory cgroup limits (bytes; -1 = unlimited).</summary>
public sealed record OciMemory
{
    public long? Limit { get; init; }
    public long? Reservation { get; init; }
    public long? Swap { get; init; }
}
