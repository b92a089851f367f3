namespace Bulwark.Engine.Containers.Update;

/// <summary>
/// What <c>docker update</c> may change on an existing container; null (and, as with Docker, 0) means "leave as is".
/// <see cref="PidsLimit"/> 0 or -1 means unlimited, as Docker's update API defines it.
/// </summary>
public sealed record ContainerUpdate
{
    public long? MemoryBytes { get; init; }
    /// <summary>-1: unlimited swap.</summary>
    public long? MemorySwapBytes { get; init; }
    public long? MemoryReservationBytes { get; init; }
    public long? NanoCpus { get; init; }
    public long? CpuShares { get; init; }
    public long? CpuQuota { get; init; }
    public long? CpuPeriod { get; init; }
    public string? CpusetCpus { get; init; }
    public long? PidsLimit { get; init; }
    public RestartPolicySpec? Restart { get; init; }
}
