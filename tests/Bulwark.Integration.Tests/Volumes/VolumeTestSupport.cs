using System.Diagnostics;
using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Volumes;

/// <summary>Helpers for the volume tests: unique names, images with content at a VOLUME path, raw API calls, cleanup.</summary>
internal static class VolumeTestSupport
{
    public static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    public static async Task<CommandResult> OkAsync(this DaemonInstance d, params string[] args)
    {
        var r = await d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{d.DaemonLog}");
        return r;
    }

    public static async Task<HashSet<string>> VolumeNamesAsync(this DaemonInstance d) =>
        [.. (await d.OkAsync("volume", "ls", "-q")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public static string DataDir(this DaemonInstance d, string volume) => Path.Combine(d.DataRoot, "volumes", volume, "_data");

    /// <summary>Removes containers and volumes a test made, ignoring the ones already gone.</summary>
    public static async Task CleanupAsync(this DaemonInstance d, IEnumerable<string> containers, IEnumerable<string> volumes)
    {
        foreach (string c in containers)
        {
            await d.DockerAsync("rm", "-f", "-v", c);
        }

        foreach (string v in volumes)
        {
            await d.DockerAsync("volume", "rm", "-f", v);
        }
    }

    /// <summary>
    /// Imports a busybox image whose <paramref name="volumePath"/> is declared a VOLUME; <paramref name="populate"/> fills
    /// the rootfs before it is packed (as root, so owners other than root can be set).
    /// </summary>
    public static async Task<string> ImportImageAsync(DaemonInstance d, string tag, string volumePath, Action<string> populate)
    {
        string work = Path.Combine(d.Root, "img-" + Guid.NewGuid().ToString("N")[..8]);
        string tar = BusyboxImage.BuildRootfsTar(work);
        string rootfs = Path.Combine(work, "rootfs");
        populate(rootfs);
        File.Delete(tar);
        var p = Process.Start("tar", ["-C", rootfs, "--numeric-owner", "-cf", tar, "."])!;
        await p.WaitForExitAsync();
        Assert.Equal(0, p.ExitCode);
        await d.OkAsync("import", "--change", "VOLUME " + volumePath, "--change", "CMD [\"sh\"]", tar, tag);
        Directory.Delete(work, recursive: true);
        return tag;
    }

    /// <summary>A raw API request through curl: (status, body).</summary>
    public static async Task<(int Status, string Body)> ApiAsync(DaemonInstance d, string method, string path, string? json = null)
    {
        var args = new List<string> { "-s", "--unix-socket", d.SocketPath, "-X", method, "-w", "\n%{http_code}" };
        if (json is not null)
        {
            args.AddRange(["-H", "Content-Type: application/json", "-d", json]);
        }

        args.Add("http://localhost/v1.44" + path);
        var r = await ProcessRunner.RunAsync("curl", args);
        Assert.True(r.ExitCode == 0, r.ToString());
        int nl = r.Stdout.LastIndexOf('\n');
        return (int.Parse(r.Stdout[(nl + 1)..], System.Globalization.CultureInfo.InvariantCulture), r.Stdout[..nl]);
    }

    public static JsonElement Inspect(string json) => JsonDocument.Parse(json).RootElement[0].Clone();

    /// <summary>The host id the container's root maps to (daemon default userns-remap "bulwark").</summary>
    public static uint RemappedRoot()
    {
        foreach (string line in File.ReadLines("/etc/subuid"))
        {
            string[] f = line.Split(':');
            if (f.Length == 3 && f[0] == "bulwark")
            {
                return uint.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("no subordinate uid range for bulwark in /etc/subuid");
    }

    public static (uint Uid, uint Gid, UnixFileMode Mode) Owner(string path)
    {
        var r = Process.Start(new ProcessStartInfo("stat", ["-c", "%u %g", path]) { RedirectStandardOutput = true })!;
        string[] f = r.StandardOutput.ReadToEnd().Trim().Split(' ');
        r.WaitForExit();
        return (uint.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), uint.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture),
            File.GetUnixFileMode(path));
    }
}
