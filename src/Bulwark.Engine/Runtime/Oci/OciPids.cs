namespace Bulwark.Engine.Runtime.Oci;

/// <summary>pids cgroup limit (-1 = unlimited).</summary>
public sealed record OciPids
{
    public long Limit { get; init; }
}
