using System.Diagnostics;
using Bulwark.Engine.Errors;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Runtime;

/// <summary>Chooses the OCI runtime: crun when it can manage cgroups on this host, otherwise runc.</summary>
public static class RuntimeSelector
{
    private static readonly string[] SearchDirs = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <param name="preferred">"runc", "crun", an absolute path, or null for automatic choice.</param>
    public static RuntimeInfo Detect(string? preferred, ILogger logger) =>
        Detect(preferred, logger, DetectCgroupMode(File.ReadAllText("/proc/self/mountinfo")));

    internal static RuntimeInfo Detect(string? preferred, ILogger logger, CgroupMode mode)
    {
        string? reason = null;
        var wantCrun = preferred is null || preferred == "crun" || Path.GetFileName(preferred) == "crun";
        if (preferred is not null && !wantCrun)
        {
            var path = Find(preferred) ?? throw new EngineException(ErrorKind.Unavailable, $"OCI runtime {preferred} was not found");
            return new RuntimeInfo(Path.GetFileName(path), path, Version(path), null);
        }

        var crun = Find(preferred is not null && Path.IsPathRooted(preferred) ? preferred : "crun");
        if (crun is null)
        {
            reason = "crun is not installed";
        }
        else if (mode == CgroupMode.Hybrid)
        {
            reason = "crun cannot manage cgroups on this host: cgroups are in hybrid v1/v2 mode (cgroup2 mounted at "
                     + "/sys/fs/cgroup/unified next to v1 controllers), which crun does not support";
        }
        else
        {
            var version = Version(crun);
            if (version.Length > 0)
            {
                return new RuntimeInfo("crun", crun, version, null);
            }

            reason = $"crun at {crun} did not report a version";
        }

        var runc = Find("runc") ?? throw new EngineException(
            ErrorKind.Unavailable, $"no usable OCI runtime: runc is not installed and {reason}");
        var info = new RuntimeInfo("runc", runc, Version(runc), reason);
        logger.LogInformation("Using OCI runtime {Runtime} {Version} ({Reason})", info.Name, info.Version, reason);
        return info;
    }

    /// <summary>Classifies the cgroup layout from the text of /proc/self/mountinfo.</summary>
    public static CgroupMode DetectCgroupMode(string mountinfo)
    {
        var rootIsV2 = false;
        var hasV1 = false;
        var hasV2 = false;
        foreach (var line in mountinfo.Split('\n'))
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0)
            {
                continue;
            }

            var left = line[..sep].Split(' ');
            var right = line[(sep + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 1)
            {
                continue;
            }

            var mountPoint = left[4];
            var fsType = right[0];
            if (fsType == "cgroup2")
            {
                hasV2 = true;
                rootIsV2 |= mountPoint == "/sys/fs/cgroup";
            }
            else if (fsType == "cgroup")
            {
                hasV1 = true;
            }
        }

        return rootIsV2 ? CgroupMode.Unified : hasV1 && hasV2 ? CgroupMode.Hybrid : hasV1 ? CgroupMode.Legacy : CgroupMode.Unified;
    }

    private static string? Find(string nameOrPath)
    {
        if (Path.IsPathRooted(nameOrPath))
        {
            return File.Exists(nameOrPath) ? nameOrPath : null;
        }

        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(SearchDirs);
        return dirs.Select(d => Path.Combine(d, nameOrPath)).FirstOrDefault(File.Exists);
    }

    private static string Version(string path)
    {
        try
        {
            var psi = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("--version");
            using var p = Process.Start(psi);
            if (p is null)
            {
                return string.Empty;
            }

            var output = p.StandardOutput.ReadToEnd();
            _ = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                return string.Empty;
            }

            // "runc version 1.1.5+ds1" / "crun version 1.8.1"
            var first = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
            var idx = first.IndexOf("version ", StringComparison.Ordinal);
            return idx >= 0 ? first[(idx + 8)..].Trim() : first.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    }
}
