using System.Globalization;

namespace Bulwark.Engine.Stats;

/// <summary>
/// A container's per-interface traffic counters from <c>/proc/&lt;pid&gt;/net/dev</c>, which the kernel answers from
/// the network namespace of that process (the container's, read from the host). Loopback is left out, as Docker
/// does: a container on no network has no <c>networks</c> in its stats.
/// </summary>
public static class NetworkDevStatsReader
{
    public static IReadOnlyDictionary<string, InterfaceCounters> Read(int pid)
    {
        if (pid <= 0)
        {
            return new Dictionary<string, InterfaceCounters>();
        }
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/net/dev"));
        }
        catch (IOException)
        {
            return new Dictionary<string, InterfaceCounters>(); // the process is gone
        }
        catch (UnauthorizedAccessException)
        {
            return new Dictionary<string, InterfaceCounters>();
        }
    }

    /// <summary>Two header lines, then "iface: rx bytes packets errs drop fifo frame compressed multicast tx bytes packets errs drop …".</summary>
    public static IReadOnlyDictionary<string, InterfaceCounters> Parse(string text)
    {
        var result = new SortedDictionary<string, InterfaceCounters>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n').Skip(2))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }
            string name = line[..colon].Trim();
            string[] f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (name == "lo" || f.Length < 12)
            {
                continue;
            }
            ulong V(int i) => ulong.Parse(f[i], CultureInfo.InvariantCulture);
            result[name] = new InterfaceCounters(V(0), V(1), V(2), V(3), V(8), V(9), V(10), V(11));
        }
        return result;
    }
}

/// <summary>Docker's per-interface stats fields (rx_bytes, rx_packets, rx_errors, rx_dropped and the tx ones).</summary>
public sealed record InterfaceCounters(
    ulong RxBytes, ulong RxPackets, ulong RxErrors, ulong RxDropped, ulong TxBytes, ulong TxPackets, ulong TxErrors, ulong TxDropped);
