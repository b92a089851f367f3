using System.Diagnostics;

namespace Bulwark.Engine.Tests.Runtime.Monitor;

/// <summary>Locates bulwark-monitor ($BULWARK_MONITOR or src/bulwark-monitor of the repo), building it with make if needed.</summary>
internal static class MonitorBinary
{
    private static readonly Lazy<string> Located = new(Locate);

    public static string Path => Located.Value;

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("BULWARK_MONITOR");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var source = System.IO.Path.Combine(dir.FullName, "src", "bulwark-monitor");
            if (!File.Exists(System.IO.Path.Combine(source, "Makefile")))
            {
                continue;
            }

            var binary = System.IO.Path.Combine(source, "bulwark-monitor");
            var psi = new ProcessStartInfo("make") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-C");
            psi.ArgumentList.Add(source);
            using var make = Process.Start(psi)!;
            var output = make.StandardOutput.ReadToEndAsync();
            var errors = make.StandardError.ReadToEnd();
            make.WaitForExit();
            if (make.ExitCode != 0 || !File.Exists(binary))
            {
                throw new InvalidOperationException($"make -C {source} failed: {output.Result}{errors}");
            }

            return binary;
        }

        throw new InvalidOperationException("bulwark-monitor not found: set BULWARK_MONITOR or run from the repository");
    }
}
