namespace Bulwark.Engine.Runtime.Oci;

/// <summary>CPU cgroup limits.</summary>
public sealed record OciCpu
{
    public ulong? Shares { get; init; }
    public long? Quota { get; init; }
    public ulong? Period { get; init; }
    public string? Cpus { get; init; }
    public string? Mems { get; init; }
}
