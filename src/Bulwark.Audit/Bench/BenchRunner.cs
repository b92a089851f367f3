using System.Net.Sockets;
using System.Text.Json;
using Bulwark.Client;
using Bulwark.Native;

namespace Bulwark.Audit.Bench;

/// <summary>
/// The bench's facade: gathers <see cref="BenchInputs"/> from a Docker API endpoint (any engine) and from this host
/// (the socket's owner and mode, the daemon process behind it via SO_PEERCRED, its config file, the mount table),
/// then evaluates every control.
/// </summary>
public sealed class BenchRunner(DockerClient client)
{
    public async Task<BenchReport> RunAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var info = await client.InfoRawAsync(cancellationToken).ConfigureAwait(false);
        var version = await client.VersionRawAsync(cancellationToken).ConfigureAwait(false);
        var containers = new List<JsonElement>();
        foreach (var summary in await client.ContainerListAsync(all: false, null, cancellationToken).ConfigureAwait(false))
        {
            containers.Add(await client.ContainerInspectRawAsync(summary.Id, cancellationToken).ConfigureAwait(false));
        }

        var images = new List<JsonElement>();
        foreach (var summary in await client.ImageListAsync(all: false, null, cancellationToken).ConfigureAwait(false))
        {
            images.Add(await client.ImageInspectRawAsync(summary.Id, cancellationToken).ConfigureAwait(false));
        }

        var daemon = FindDaemon(client.SocketPath);
        var configs = new List<FileFacts>();
        if (daemon?.ConfigPath is { } configPath && Facts(configPath) is { } config)
        {
            configs.Add(config);
        }

        var input = new BenchInputs(info, version, containers, images, daemon, Facts(client.SocketPath), configs, ReadMountPoints(), environment);
        return Evaluate(client.SocketPath, input);
    }

    /// <summary>Runs every check over already gathered inputs (unit tests feed recorded documents here).</summary>
    public static BenchReport Evaluate(string endpoint, BenchInputs input)
    {
        var findings = HostAndDaemonChecks.Run(input).Concat(ContainerAndImageChecks.Run(input))
            .OrderBy(f => f.Control.Id, ControlIdComparer.Instance).ToList();
        string daemon = input.Daemon?.Describe() ?? $"server {Json.Str(input.Version, "Version")} on {Json.Str(input.Info, "Name")}";
        return new BenchReport(endpoint, daemon, findings);
    }

    private static DaemonProcess? FindDaemon(string socketPath)
    {
        int pid;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            Span<byte> cred = stackalloc byte[12];
            const int SolSocket = 1, SoPeerCred = 17;
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, cred) < 4)
            {
                return null;
            }

            pid = BitConverter.ToInt32(cred);
        }
        catch (SocketException)
        {
            return null;
        }

        try
        {
            var args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            if (args.Length == 0)
            {
                return null;
            }

            string exe = args[0];
            var rest = args.Skip(1).ToList();
            var probe = new DaemonProcess(pid, exe, rest, null, null);
            string? configPath = Path.GetFileName(exe) == "dockerd"
                ? probe.Flag("--config-file") is { Count: > 0 } f ? f[^1] : "/etc/docker/daemon.json"
                : probe.Flag("--config") is { Count: > 0 } g ? g[^1] : null;
            JsonElement? config = null;
            if (configPath is not null && File.Exists(configPath))
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(configPath));
                config = doc.RootElement.Clone();
            }
            else
            {
                configPath = null;
            }

            return new DaemonProcess(pid, exe, rest, configPath, config);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static FileFacts? Facts(string path)
    {
        if (FileStatus.Ownership(path) is not { } o)
        {
            return null;
        }

        string? groupName = null;
        var members = new List<string>();
        if (File.Exists("/etc/group"))
        {
            foreach (var line in File.ReadLines("/etc/group"))
            {
                var f = line.Split(':');
                if (f.Length >= 4 && uint.TryParse(f[2], System.Globalization.CultureInfo.InvariantCulture, out uint gid) && gid == o.Gid)
                {
                    groupName = f[0];
                    members.AddRange(f[3].Split(',', StringSplitOptions.RemoveEmptyEntries));
                    break;
                }
            }
        }

        return new FileFacts(path, o.Uid, o.Gid, o.Mode, groupName, members);
    }

    private static List<MountPoint> ReadMountPoints()
    {
        try
        {
            // mountinfo: field 3 is the device (major:minor), field 5 the mount point (octal escapes for spaces).
            return [.. File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Where(f => f.Length > 4)
                .Select(f => new MountPoint(f[4].Replace("\\040", " ", StringComparison.Ordinal), f[2]))];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Orders "2.10" after "2.9" (numeric per dotted part).</summary>
    private sealed class ControlIdComparer : IComparer<string>
    {
        public static ControlIdComparer Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? "").Split('.');
            var b = (y ?? "").Split('.');
            for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
            {
                int pa = i < a.Length ? int.Parse(a[i], System.Globalization.CultureInfo.InvariantCulture) : -1;
                int pb = i < b.Length ? int.Parse(b[i], System.Globalization.CultureInfo.InvariantCulture) : -1;
                if (pa != pb)
                {
                    return pa.CompareTo(pb);
                }
            }

            return 0;
        }
    }
}
