using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Resilience;

/// <summary>What a daemon may have left on the host: runtime state, monitors, container processes, cgroups, mounts.</summary>
internal static class LeftoverProbe
{
    /// <summary>Container ids runc keeps state for under the daemon's exec root.</summary>
    public static IReadOnlyList<string> RuntimeIds(DaemonInstance d)
    {
        string root = Path.Combine(d.ExecRoot, "runtime");
        return Directory.Exists(root) ? [.. Directory.EnumerateDirectories(root).Select(Path.GetFileName).OfType<string>()] : [];
    }

    /// <summary>Pids of processes whose command line names the daemon's exec root (monitors, runc) or whose cgroup is
    /// under the daemon's cgroup parent (the containers' own processes).</summary>
    public static IReadOnlyList<string> Processes(DaemonInstance d)
    {
        string parent = "/" + d.CgroupParent + "/";
        var found = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            string pid = Path.GetFileName(dir);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                if (stat.Contains(") Z ", StringComparison.Ordinal))
                {
                    continue; // a zombie holds nothing and is its parent's to reap
                }
                string cmd = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))).Replace('\0', ' ');
                string cgroup = File.ReadAllText(Path.Combine(dir, "cgroup"));
                if (cmd.Contains(d.ExecRoot + "/", StringComparison.Ordinal) || cgroup.Contains(parent, StringComparison.Ordinal))
                {
                    found.Add(pid + " " + cmd.Trim());
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // exited meanwhile
            }
        }
        return found;
    }

    /// <summary>Container cgroups (children of the daemon's cgroup parent) in any hierarchy.</summary>
    public static IReadOnlyList<string> Cgroups(DaemonInstance d) =>
        [.. Directory.EnumerateDirectories("/sys/fs/cgroup")
            .Select(h => Path.Combine(h, d.CgroupParent))
            .Append(Path.Combine("/sys/fs/cgroup", d.CgroupParent))
            .Distinct()
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)];

    /// <summary>Mounts under the daemon's data root (container rootfs overlays).</summary>
    public static IReadOnlyList<string> Mounts(DaemonInstance d) =>
        [.. File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1])
            .Where(m => m.StartsWith(Path.Combine(d.DataRoot, "containers") + "/", StringComparison.Ordinal))];

    /// <summary>Waits (bounded) until the probe finds nothing: processes take a moment to be reaped after SIGKILL.</summary>
    public static async Task<IReadOnlyList<string>> SettledAsync(Func<IReadOnlyList<string>> probe)
    {
        IReadOnlyList<string> found = probe();
        for (int i = 0; i < 100 && found.Count > 0; i++)
        {
            await Task.Delay(100);
            found = probe();
        }
        return found;
    }
}
