using System.Globalization;

namespace Bulwark.Engine.Stats;

/// <summary>
/// Reads a container's counters from cgroup v1 controller hierarchies (/sys/fs/cgroup/&lt;ctrl&gt;/&lt;path&gt;) or
/// the unified v2 hierarchy, plus the host's CPU time from /proc/stat, as moby does.
/// </summary>
public static class CgroupStatsReader
{
    private const string Root = "/sys/fs/cgroup";
    private const ulong ClockTicks = 100;

    public static StatsSample Read(string cgroupPath)
    {
        string rel = cgroupPath.TrimStart('/');
        bool v1 = Directory.Exists(Path.Combine(Root, "memory"));
        var (systemNs, cpus) = SystemCpu();
        ulong hostMem = HostMemory();
        return v1 ? ReadV1(rel, systemNs, cpus, hostMem) : ReadV2(rel, systemNs, cpus, hostMem);
    }

    private static StatsSample ReadV1(string rel, ulong systemNs, int cpus, ulong hostMem)
    {
        string cpuacct = Path.Combine(Root, "cpuacct", rel);
        string cpu = Path.Combine(Root, "cpu", rel);
        string mem = Path.Combine(Root, "memory", rel);
        string pids = Path.Combine(Root, "pids", rel);
        string blkio = Path.Combine(Root, "blkio", rel);
        var acctStat = KeyValues(Path.Combine(cpuacct, "cpuacct.stat"));
        var throttle = KeyValues(Path.Combine(cpu, "cpu.stat"));
        var memStat = KeyValues(Path.Combine(mem, "memory.stat"));
        ulong limit = Number(Path.Combine(mem, "memory.limit_in_bytes"));
        return new StatsSample
        {
            Read = DateTimeOffset.UtcNow,
            CgroupVersion = 1,
            CpuTotalNs = Number(Path.Combine(cpuacct, "cpuacct.usage")),
            PerCpuNs = Numbers(Path.Combine(cpuacct, "cpuacct.usage_percpu")),
            CpuUserNs = Get(acctStat, "user") * (1_000_000_000 / ClockTicks),
            CpuKernelNs = Get(acctStat, "system") * (1_000_000_000 / ClockTicks),
            SystemCpuNs = systemNs,
            OnlineCpus = cpus,
            ThrottlePeriods = Get(throttle, "nr_periods"),
            ThrottledPeriods = Get(throttle, "nr_throttled"),
            ThrottledTimeNs = Get(throttle, "throttled_time"),
            MemoryUsage = Number(Path.Combine(mem, "memory.usage_in_bytes")),
            MemoryMaxUsage = Number(Path.Combine(mem, "memory.max_usage_in_bytes")),
            MemoryLimit = limit == 0 || limit > hostMem ? hostMem : limit,
            MemoryFailcnt = Number(Path.Combine(mem, "memory.failcnt")),
            MemoryStat = memStat,
            PidsCurrent = Number(Path.Combine(pids, "pids.current")),
            PidsLimit = Number(Path.Combine(pids, "pids.max")),
            IoServiceBytes = BlkioV1(Path.Combine(blkio, "blkio.throttle.io_service_bytes")),
        };
    }

    private static StatsSample ReadV2(string rel, ulong systemNs, int cpus, ulong hostMem)
    {
        string dir = Path.Combine(Root, rel);
        var cpuStat = KeyValues(Path.Combine(dir, "cpu.stat"));
        var memStat = KeyValues(Path.Combine(dir, "memory.stat"));
        var events = KeyValues(Path.Combine(dir, "memory.events"));
        ulong limit = Number(Path.Combine(dir, "memory.max"));
        return new StatsSample
        {
            Read = DateTimeOffset.UtcNow,
            CgroupVersion = 2,
            CpuTotalNs = Get(cpuStat, "usage_usec") * 1000,
            CpuUserNs = Get(cpuStat, "user_usec") * 1000,
            CpuKernelNs = Get(cpuStat, "system_usec") * 1000,
            SystemCpuNs = systemNs,
            OnlineCpus = cpus,
            ThrottlePeriods = Get(cpuStat, "nr_periods"),
            ThrottledPeriods = Get(cpuStat, "nr_throttled"),
            ThrottledTimeNs = Get(cpuStat, "throttled_usec") * 1000,
            MemoryUsage = Number(Path.Combine(dir, "memory.current")),
            MemoryLimit = limit == 0 || limit > hostMem ? hostMem : limit,
            MemoryFailcnt = Get(events, "oom"),
            MemoryStat = memStat,
            PidsCurrent = Number(Path.Combine(dir, "pids.current")),
            PidsLimit = Number(Path.Combine(dir, "pids.max")),
        };
    }

    /// <summary>Sum of the first seven fields of /proc/stat's cpu line in ns, and the number of cpuN lines.</summary>
    private static (ulong Ns, int Cpus) SystemCpu()
    {
        ulong ticks = 0;
        int cpus = 0;
        foreach (string line in File.ReadLines("/proc/stat"))
        {
            if (line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                ticks = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7)
                    .Aggregate(0UL, (sum, f) => sum + ulong.Parse(f, CultureInfo.InvariantCulture));
            }
            else if (line.StartsWith("cpu", StringComparison.Ordinal))
            {
                cpus++;
            }
        }
        return (ticks * (1_000_000_000 / ClockTicks), cpus);
    }

    private static ulong HostMemory()
    {
        foreach (string line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                return ulong.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    private static ulong Get(IReadOnlyDictionary<string, ulong> d, string key) => d.TryGetValue(key, out ulong v) ? v : 0;

    private static ulong Number(string path)
    {
        try
        {
            string s = File.ReadAllText(path).Trim();
            return s == "max" ? 0 : ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static List<ulong> Numbers(string path)
    {
        try
        {
            return [.. File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => ulong.Parse(f, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static Dictionary<string, ulong> KeyValues(string path)
    {
        var d = new Dictionary<string, ulong>(StringComparer.Ordinal);
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length == 2 && ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
                {
                    d[f[0]] = v;
                }
            }
        }
        catch (IOException)
        {
        }
        return d;
    }

    private static List<BlkioEntry> BlkioV1(string path)
    {
        var list = new List<BlkioEntry>();
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length == 3 && f[0].Split(':') is [var maj, var min]
                    && ulong.TryParse(maj, CultureInfo.InvariantCulture, out ulong ma) && ulong.TryParse(min, CultureInfo.InvariantCulture, out ulong mi)
                    && ulong.TryParse(f[2], CultureInfo.InvariantCulture, out ulong v))
                {
                    list.Add(new BlkioEntry(ma, mi, f[1], v));
                }
            }
        }
        catch (IOException)
        {
        }
        return list;
    }
}
