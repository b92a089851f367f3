using System.Diagnostics;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Security;

/// <summary>Test images for the escape probes: busybox plus tests/probe/probe.c built static, and a hostile /dev image.</summary>
public static class ProbeImage
{
    public const string Name = "test/probe:1";
    public const string HostileDev = "test/hostile-dev:1";

    /// <summary>Compiles the probe (gcc -static -O2) and returns a rootfs tarball with /probe and a setuid-root /probe-suid.</summary>
    public static string BuildProbeTar(string workDir)
    {
        BusyboxImage.BuildRootfsTar(workDir);
        string rootfs = Path.Combine(workDir, "rootfs");
        string probe = Path.Combine(rootfs, "probe");
        Run("gcc", "-static", "-O2", "-o", probe, Path.Combine(RepoPaths.Root, "tests/probe/probe.c"));
        string suid = Path.Combine(rootfs, "probe-suid");
        File.Copy(probe, suid, overwrite: true);
        Run("chown", "0:0", suid);
        Run("chmod", "4755", suid);
        return Tar(rootfs, Path.Combine(workDir, "probe-rootfs.tar"));
    }

    /// <summary>Busybox whose /dev/null is a symlink to /proc/sys/kernel/core_pattern and /dev/ptmx to /proc/sysrq-trigger (CVE-2025-31133 family).</summary>
    public static string BuildHostileDevTar(string workDir)
    {
        BusyboxImage.BuildRootfsTar(workDir);
        string rootfs = Path.Combine(workDir, "rootfs");
        string dev = Path.Combine(rootfs, "dev");
        Directory.CreateDirectory(dev);
        File.CreateSymbolicLink(Path.Combine(dev, "null"), "/proc/sys/kernel/core_pattern");
        File.CreateSymbolicLink(Path.Combine(dev, "ptmx"), "/proc/sysrq-trigger");
        File.CreateSymbolicLink(Path.Combine(dev, "console"), "/proc/sys/kernel/modprobe");
        File.CreateSymbolicLink(Path.Combine(dev, "pts"), "/proc/sys/kernel");
        return Tar(rootfs, Path.Combine(workDir, "hostile-dev-rootfs.tar"));
    }

    public static async Task ImportAsync(DaemonInstance d, string tar, string name)
    {
        var r = await d.CliAsync("import", tar, name);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"importing {name} failed: {r}\n{d.DaemonLog}");
        }
    }

    /// <summary>"PROBE name STATUS detail" lines → name → (escaped, detail).</summary>
    public static Dictionary<string, (bool Escaped, string Detail)> Parse(string stdout)
    {
        var result = new Dictionary<string, (bool, string)>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 4);
            if (parts.Length >= 3 && parts[0] == "PROBE")
            {
                result[parts[1]] = (parts[2] == "ESCAPED", parts.Length == 4 ? parts[3] : "");
            }
        }

        return result;
    }

    private static string Tar(string rootfs, string tar)
    {
        Run("tar", "--numeric-owner", "-C", rootfs, "-cf", tar, ".");
        return tar;
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {err}");
        }
    }
}
