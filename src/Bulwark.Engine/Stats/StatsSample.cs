namespace Bulwark.Engine.Stats;

/// <summary>One reading of a container's cgroup counters, in Docker's units (ns for CPU, bytes for memory).</summary>
public sealed record StatsSample
{
    public DateTimeOffset Read { get; init; }
    public ulong CpuTotalNs { get; init; }
    public IReadOnlyList<ulong> PerCpuNs { get; init; } = [];
    public ulong CpuKernelNs { get; init; }
    public ulong CpuUserNs { get; init; }
    public ulong SystemCpuNs { get; init; }
    public int OnlineCpus { get; init; }
    public ulong ThrottlePeriods { get; init; }
    public ulong ThrottledPeriods { get; init; }
    public ulong ThrottledTimeNs { get; init; }
    public ulong MemoryUsage { get; init; }
    public ulong MemoryMaxUsage { get; init; }
    public ulong MemoryLimit { get; init; }
    public ulong MemoryFailcnt { get; init; }
    public IReadOnlyDictionary<string, ulong> MemoryStat { get; init; } = new Dictionary<string, ulong>();
    public ulong PidsCurrent { get; init; }
    public ulong PidsLimit { get; init; }
    public IReadOnlyList<BlkioEntry> IoServiceBytes { get; init; } = [];
    public int CgroupVersion { get; init; }
    /// <summary>Interface name inside the container → counters (no loopback); empty on no network.</summary>
    public IReadOnlyDictionary<string, InterfaceCounters> Networks { get; init; } = new Dictionary<string, InterfaceCounters>();
}

public sealed record BlkioEntry(ulong Major, ulong Minor, string Op, ulong Value);
