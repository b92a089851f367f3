using System.Globalization;

namespace Bulwark.Engine.Runtime.Oci;

/// <summary>The daemon's hard resource limits by OCI name ("RLIMIT_NOFILE"); missing = unlimited.</summary>
public sealed record HostRlimits(IReadOnlyDictionary<string, ulong> Hard)
{
    private static readonly Dictionary<string, string> ProcNames = new(StringComparer.Ordinal)
    {
        ["Max cpu time"] = "RLIMIT_CPU",
        ["Max file size"] = "RLIMIT_FSIZE",
        ["Max data size"] = "RLIMIT_DATA",
        ["Max stack size"] = "RLIMIT_STACK",
        ["Max core file size"] = "RLIMIT_CORE",
        ["Max resident set"] = "RLIMIT_RSS",
        ["Max processes"] = "RLIMIT_NPROC",
        ["Max open files"] = "RLIMIT_NOFILE",
        ["Max locked memory"] = "RLIMIT_MEMLOCK",
        ["Max address space"] = "RLIMIT_AS",
        ["Max file locks"] = "RLIMIT_LOCKS",
        ["Max pending signals"] = "RLIMIT_SIGPENDING",
        ["Max msgqueue size"] = "RLIMIT_MSGQUEUE",
        ["Max nice priority"] = "RLIMIT_NICE",
        ["Max realtime priority"] = "RLIMIT_RTPRIO",
        ["Max realtime timeout"] = "RLIMIT_RTTIME",
    };

    /// <summary>The hard limit for a name, or ulong.MaxValue when unlimited/unknown.</summary>
    public ulong HardLimit(string name) => Hard.TryGetValue(name, out var v) ? v : ulong.MaxValue;

    /// <summary>Parses /proc/self/limits of the current process.</summary>
    public static HostRlimits ReadCurrent() => Parse(File.ReadAllText("/proc/self/limits"));

    /// <summary>Parses the text of a /proc/PID/limits file.</summary>
    public static HostRlimits Parse(string procLimits)
    {
        var hard = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in procLimits.Split('\n'))
        {
            foreach (var (label, name) in ProcNames)
            {
                if (!line.StartsWith(label, StringComparison.Ordinal) || line.Length <= label.Length || line[label.Length] != ' ')
                {
                    continue;
                }

                var fields = line[label.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 2 && fields[1] != "unlimited"
                    && ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    hard[name] = value;
                }
            }
        }

        return new HostRlimits(hard);
    }
}
