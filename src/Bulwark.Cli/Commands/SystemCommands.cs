using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Bulwark.Api.Models.System;
using Bulwark.Client;

namespace Bulwark.Cli.Commands;

/// <summary><c>version [--client]</c> and <c>info</c>.</summary>
internal static class SystemCommands
{
    public const string ClientVersion = "0.1.0";

    public static Command Version(CliContext context)
    {
        var clientOnly = new Option<bool>("--client") { Description = "Only show the client version (does not contact the daemon)" };
        var command = new Command("version", "Show the Bulwark version information") { clientOnly };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            await context.Out.WriteAsync(RenderClient()).ConfigureAwait(false);
            if (result.GetValue(clientOnly))
            {
                return 0;
            }

            using var client = context.CreateClient(result);
            var version = await client.VersionAsync(ct).ConfigureAwait(false);
            await context.Out.WriteAsync("\n" + RenderServer(version)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    internal static string RenderClient()
    {
        var sb = new StringBuilder();
        sb.Append("Client:\n");
        Aligned(sb, 1, "Version", ClientVersion);
        Aligned(sb, 1, "API version", DockerClient.MaxApiVersion);
        Aligned(sb, 1, ".NET version", RuntimeInformation.FrameworkDescription);
        Aligned(sb, 1, "OS/Arch", "linux/" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant().Replace("x64", "amd64", StringComparison.Ordinal));
        return sb.ToString();
    }

    internal static string RenderServer(VersionResponse v)
    {
        var sb = new StringBuilder();
        sb.Append("Server: ").Append(v.Platform.Name).Append('\n');
        foreach (var component in v.Components)
        {
            sb.Append(' ').Append(component.Name).Append(":\n");
            Aligned(sb, 2, "Version", component.Version);
            if (component.Name is "Engine" or "Bulwark Engine")
            {
                Aligned(sb, 2, "API version", $"{v.ApiVersion} (minimum version {v.MinAPIVersion})");
                Aligned(sb, 2, "OS/Arch", $"{v.Os}/{v.Arch}");
                if (v.GitCommit.Length > 0)
                {
                    Aligned(sb, 2, "Git commit", v.GitCommit);
                }
            }

            foreach (var (key, value) in component.Details ?? new Dictionary<string, string>())
            {
                if (key is not ("ApiVersion" or "MinAPIVersion" or "Os" or "Arch"))
                {
                    Aligned(sb, 2, key, value);
                }
            }
        }

        return sb.ToString();
    }

    public static Command Info(CliContext context)
    {
        var command = new Command("info", "Display system-wide information");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var info = await client.InfoAsync(ct).ConfigureAwait(false);
            await context.Out.WriteAsync(RenderInfo(info)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    internal static string RenderInfo(InfoResponse i)
    {
        var sb = new StringBuilder();
        sb.Append("Client:\n");
        Line(sb, 1, "Version", ClientVersion);
        sb.Append("\nServer:\n");
        Line(sb, 1, "Containers", Num(i.Containers));
        Line(sb, 2, "Running", Num(i.ContainersRunning));
        Line(sb, 2, "Paused", Num(i.ContainersPaused));
        Line(sb, 2, "Stopped", Num(i.ContainersStopped));
        Line(sb, 1, "Images", Num(i.Images));
        Line(sb, 1, "Server Version", i.ServerVersion);
        Line(sb, 1, "Storage Driver", i.Driver);
        foreach (var pair in i.DriverStatus)
        {
            if (pair.Count == 2)
            {
                Line(sb, 2, pair[0], pair[1]);
            }
        }

        Line(sb, 1, "Logging Driver", i.LoggingDriver);
        Line(sb, 1, "Cgroup Driver", i.CgroupDriver);
        Line(sb, 1, "Cgroup Version", i.CgroupVersion);
        Line(sb, 1, "Runtimes", string.Join(' ', i.Runtimes.Keys.Order(StringComparer.Ordinal)));
        Line(sb, 1, "Default Runtime", i.DefaultRuntime);
        if (i.Runtimes.TryGetValue(i.DefaultRuntime, out var runtime))
        {
            Line(sb, 2, "Path", runtime.Path);
        }

        if (i.InitBinary.Length > 0)
        {
            Line(sb, 1, "Init Binary", i.InitBinary);
        }

        if (i.SecurityOptions.Count > 0)
        {
            sb.Append(" Security Options:\n");
            foreach (var option in i.SecurityOptions)
            {
                // "name=seccomp,profile=builtin" → "seccomp" + "Profile: builtin".
                var fields = option.Split(',').Select(f => f.Split('=', 2)).ToList();
                var name = fields.FirstOrDefault(f => f[0] == "name") is { Length: 2 } n ? n[1] : option;
                sb.Append("  ").Append(name).Append('\n');
                foreach (var f in fields.Where(f => f.Length == 2 && f[0] != "name"))
                {
                    Line(sb, 3, char.ToUpperInvariant(f[0][0]) + f[0][1..], f[1]);
                }
            }
        }

        Line(sb, 1, "Kernel Version", i.KernelVersion);
        Line(sb, 1, "Operating System", i.OperatingSystem);
        Line(sb, 1, "OSType", i.OSType);
        Line(sb, 1, "Architecture", i.Architecture);
        Line(sb, 1, "CPUs", Num(i.NCPU));
        Line(sb, 1, "Total Memory", HumanBinary(i.MemTotal));
        Line(sb, 1, "Name", i.Name);
        Line(sb, 1, "ID", i.ID);
        Line(sb, 1, "Bulwark Root Dir", i.DockerRootDir);
        Line(sb, 1, "Debug Mode", i.Debug ? "true" : "false");
        Line(sb, 1, "Experimental", i.ExperimentalBuild ? "true" : "false");
        Line(sb, 1, "Live Restore Enabled", i.LiveRestoreEnabled ? "true" : "false");
        foreach (var warning in i.Warnings)
        {
            sb.Append(warning).Append('\n');
        }

        return sb.ToString();
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string HumanBinary(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double size = bytes;
        var u = 0;
        while (size >= 1024 && u < units.Length - 1)
        {
            size /= 1024;
            u++;
        }

        return size.ToString("0.###", CultureInfo.InvariantCulture) + units[u];
    }

    private static void Line(StringBuilder sb, int indent, string key, string value) =>
        sb.Append(' ', indent).Append(key).Append(": ").Append(value).Append('\n');

    /// <summary>docker version's aligned "Key:   value" lines.</summary>
    private static void Aligned(StringBuilder sb, int indent, string key, string value) =>
        sb.Append(' ', indent).Append((key + ":").PadRight(Math.Max(19 - indent, key.Length + 2))).Append(value).Append('\n');

}
