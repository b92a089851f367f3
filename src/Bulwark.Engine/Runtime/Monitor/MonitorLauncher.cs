using System.Globalization;
using System.Text;

namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>The real monitor: spawns bulwark-monitor (see <see cref="MonitorProcess"/>) and scans /proc for live ones.</summary>
public sealed class MonitorLauncher : IMonitorLauncher
{
    public async Task<IMonitorSession> StartAsync(MonitorStartOptions options, CancellationToken ct) =>
        await MonitorProcess.StartAsync(options, ct).ConfigureAwait(false);

    public async Task<IMonitorSession?> ConnectAsync(string stateDir, CancellationToken ct) =>
        await MonitorProcess.ConnectAsync(stateDir, ct).ConfigureAwait(false);

    public ExitStatus? ReadExitFile(string stateDir) => MonitorProcess.ReadExitFile(stateDir);

    /// <summary>
    /// Reads every process's command line and keeps the monitors (argv carries "--id ID" and "--state-dir DIR") whose
    /// state directory is directly under <paramref name="stateRoot"/>. Found by what they are, not by pid files, so a
    /// monitor spawned just before the daemon died (before any file was written) is found too. Zombies are skipped.
    /// </summary>
    public IReadOnlyList<MonitorProcessInfo> FindMonitors(string stateRoot)
    {
        var found = new List<MonitorProcessInfo>();
        string root = Path.TrimEndingDirectorySeparator(stateRoot);
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            string[] argv;
            try
            {
                argv = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(dir, "cmdline"))).Split('\0');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // exited meanwhile
            }
            string? id = ArgAfter(argv, "--id");
            string? stateDir = ArgAfter(argv, "--state-dir");
            if (id is null || stateDir is null || !string.Equals(Path.GetDirectoryName(stateDir), root, StringComparison.Ordinal))
            {
                continue;
            }
            if (!Path.GetFileName(argv[0]).StartsWith("bulwark-monitor", StringComparison.Ordinal))
            {
                continue;
            }
            found.Add(new MonitorProcessInfo(pid, id, stateDir));
        }
        return found;
    }

    private static string? ArgAfter(string[] argv, string flag)
    {
        int i = Array.IndexOf(argv, flag);
        return i >= 0 && i + 1 < argv.Length ? argv[i + 1] : null;
    }
}
