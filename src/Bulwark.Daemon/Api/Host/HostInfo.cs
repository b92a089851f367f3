namespace Bulwark.Daemon.Api.Host;

/// <summary>Facts about the host for /info and /version, read from /proc and /sys.</summary>
internal static class HostInfo
{
    public static string KernelVersion => ReadFirstLine("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.Version.ToString();

    public static string OperatingSystem
    {
        get
        {
            foreach (string line in ReadLines("/etc/os-release"))
            {
                if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                {
                    return line["PRETTY_NAME=".Length..].Trim('"');
                }
            }
            return "Linux";
        }
    }

    public static string CgroupVersion => Directory.Exists("/sys/fs/cgroup/memory") ? "1" : "2";

    public static long MemTotalBytes
    {
        get
        {
            foreach (string line in ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                    && long.TryParse(line["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), out long kb))
                {
                    return kb * 1024;
                }
            }
            return 0;
        }
    }

    public static int OpenFileDescriptors
    {
        get
        {
            try
            {
                return Directory.GetFileSystemEntries("/proc/self/fd").Length;
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }

    private static string? ReadFirstLine(string path) => ReadLines(path).FirstOrDefault()?.Trim();

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
