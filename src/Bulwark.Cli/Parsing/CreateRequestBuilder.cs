using System.Globalization;
using System.Text.Json;
using Bulwark.Api.Models.Containers;

namespace Bulwark.Cli.Parsing;

/// <summary>
/// Maps <see cref="ContainerFlags"/> to the <c>POST /containers/create</c> body the way docker CLI 28 does
/// (docker-api.md §2.3): the full struct with docker's zero values, capabilities normalised to <c>CAP_X</c>, etc.
/// Invalid values raise <see cref="CliException"/> with exit code 125, naming the flag.
/// </summary>
internal static class CreateRequestBuilder
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <param name="getEnvironment">Looks up the CLI's own environment (for <c>-e NAME</c> without a value).</param>
    /// <param name="readFile">Reads an env-file or a seccomp profile.</param>
    /// <param name="consoleSize">Rows and columns of our terminal for <c>-t</c>, if known.</param>
    public static ContainerCreateRequest Build(ContainerFlags flags, Func<string, string?> getEnvironment, Func<string, string> readFile,
        (int Rows, int Columns)? consoleSize = null)
    {
        if (flags.Remove && flags.Restart is { } r && r != "no")
        {
            throw Invalid("Conflicting options: --restart and --rm");
        }

        var env = new List<string>();
        foreach (var file in flags.EnvFiles)
        {
            env.AddRange(ParseEnvFile(file, readFile(file), getEnvironment));
        }

        foreach (var e in flags.Env)
        {
            env.Add(ExpandEnv(e, getEnvironment));
        }

        var volumes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var binds = new List<string>();
        foreach (var v in flags.Volumes)
        {
            if (v.Length == 0)
            {
                throw Flag("-v, --volume", v, "invalid empty volume spec");
            }

            if (v.Contains(':', StringComparison.Ordinal))
            {
                binds.Add(v);
            }
            else
            {
                volumes[v] = EmptyObject;
            }
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var l in flags.Labels)
        {
            var (k, val) = SplitKeyValue(l);
            labels[k] = val ?? "";
        }

        var securityOpt = new List<string>();
        List<string>? maskedPaths = null;
        List<string>? readonlyPaths = null;
        foreach (var opt in flags.SecurityOpt)
        {
            var (k, val) = SplitKeyValue(opt);
            if (k == "systempaths" && val == "unconfined")
            {
                maskedPaths = [];
                readonlyPaths = [];
            }
            else if (k == "seccomp" && val is not null && val != "unconfined" && val != "builtin")
            {
                string profile;
                try
                {
                    using var doc = JsonDocument.Parse(readFile(val));
                    profile = Output.JsonOutput.Compact(doc.RootElement);
                }
                catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
                {
                    throw Invalid($"opening seccomp profile ({val}) failed: {ex.Message}");
                }

                securityOpt.Add("seccomp=" + profile);
            }
            else
            {
                securityOpt.Add(opt);
            }
        }

        var (portBindings, exposedPorts) = PublishParser.Parse(flags.Publish, flags.Expose);
        var host = new HostConfig
        {
            Binds = binds.Count > 0 ? binds : null,
            ContainerIDFile = "",
            LogConfig = new LogConfig { Type = flags.LogDriver ?? "", Config = ParseMap(flags.LogOpts, "--log-opt") },
            NetworkMode = string.IsNullOrEmpty(flags.Network) ? "default" : flags.Network,
            PortBindings = portBindings,
            Links = flags.Links.Count > 0 ? [.. flags.Links] : null,
            PublishAllPorts = flags.PublishAll,
            RestartPolicy = ParseRestart(flags.Restart),
            AutoRemove = flags.Remove,
            VolumeDriver = "",
            ConsoleSize = flags.Tty && consoleSize is { } size ? [size.Rows, size.Columns] : [0, 0],
            CapAdd = flags.CapAdd.Count > 0 ? [.. flags.CapAdd.Select(NormalizeCapability)] : null,
            CapDrop = flags.CapDrop.Count > 0 ? [.. flags.CapDrop.Select(NormalizeCapability)] : null,
            CgroupnsMode = "",
            Dns = [],
            GroupAdd = flags.GroupAdd.Count > 0 ? [.. flags.GroupAdd] : null,
            IpcMode = flags.Ipc ?? "",
            Cgroup = "",
            OomScoreAdj = flags.OomScoreAdj,
            PidMode = flags.Pid ?? "",
            Privileged = flags.Privileged,
            ReadonlyRootfs = flags.ReadOnly,
            SecurityOpt = securityOpt.Count > 0 ? securityOpt : null,
            Tmpfs = flags.Tmpfs.Count > 0 ? ParseTmpfs(flags.Tmpfs) : null,
            BulwarkSecrets = flags.Secrets.Count > 0 ? ParseSecrets(flags.Secrets) : null,
            UTSMode = flags.Uts ?? "",
            UsernsMode = flags.Userns ?? "",
            ShmSize = Size(flags.ShmSize, "--shm-size"),
            Runtime = string.IsNullOrEmpty(flags.Runtime) ? null : flags.Runtime,
            Isolation = "",
            CpuShares = flags.CpuShares,
            Memory = Size(flags.Memory, "-m, --memory"),
            NanoCpus = NanoCpus(flags.Cpus),
            CgroupParent = "",
            CpusetCpus = flags.CpusetCpus ?? "",
            CpusetMems = flags.CpusetMems ?? "",
            Devices = [.. flags.Devices.Select(ParseDevice)],
            DeviceCgroupRules = flags.DeviceCgroupRules.Count > 0 ? [.. flags.DeviceCgroupRules] : null,
            VolumesFrom = flags.VolumesFrom.Count > 0 ? [.. flags.VolumesFrom] : null,
            MemoryReservation = Size(flags.MemoryReservation, "--memory-reservation"),
            MemorySwap = flags.MemorySwap == "-1" ? -1 : Size(flags.MemorySwap, "--memory-swap"),
            MemorySwappiness = -1,
            OomKillDisable = flags.OomKillDisable,
            PidsLimit = flags.PidsLimit ?? 0,
            Ulimits = [.. flags.Ulimits.Select(ParseUlimit)],
            Sysctls = flags.Sysctls.Count > 0 ? ParseMap(flags.Sysctls, "--sysctl") : null,
            MaskedPaths = maskedPaths,
            ReadonlyPaths = readonlyPaths,
            Init = flags.Init ? true : null,
        };

        var attach = !flags.Detach;
        return new ContainerCreateRequest
        {
            Hostname = flags.Hostname ?? "",
            Domainname = "",
            User = flags.User ?? "",
            AttachStdin = attach && flags.Interactive,
            AttachStdout = attach,
            AttachStderr = attach,
            Tty = flags.Tty,
            OpenStdin = flags.Interactive,
            StdinOnce = attach && flags.Interactive,
            Env = env.Count > 0 ? env : null,
            Cmd = flags.Command.Count > 0 ? [.. flags.Command] : null,
            Image = flags.Image,
            Volumes = volumes,
            ExposedPorts = exposedPorts,
            WorkingDir = flags.WorkingDir ?? "",
            Entrypoint = flags.Entrypoint is null ? null : [flags.Entrypoint],
            Labels = labels,
            StopSignal = string.IsNullOrEmpty(flags.StopSignal) ? null : flags.StopSignal,
            StopTimeout = flags.StopTimeout,
            HostConfig = host,
            NetworkingConfig = new Bulwark.Api.Models.Networks.NetworkingConfig { EndpointsConfig = EndpointsConfig(flags) },
        };
    }

    /// <summary>
    /// --network-alias, --ip, --ip6, --mac-address and --link as the docker CLI sends them: one EndpointsConfig entry
    /// for the network of --network ("default" without one).
    /// </summary>
    private static Dictionary<string, Bulwark.Api.Models.Networks.EndpointConfig?> EndpointsConfig(ContainerFlags flags)
    {
        if (flags.NetworkAliases.Count == 0 && string.IsNullOrEmpty(flags.Ip) && string.IsNullOrEmpty(flags.Ip6)
            && string.IsNullOrEmpty(flags.MacAddress) && flags.Links.Count == 0)
        {
            return [];
        }
        var ipam = string.IsNullOrEmpty(flags.Ip) && string.IsNullOrEmpty(flags.Ip6)
            ? null
            : new Bulwark.Api.Models.Networks.EndpointIpamConfig { IPv4Address = flags.Ip, IPv6Address = flags.Ip6 };
        string network = string.IsNullOrEmpty(flags.Network) ? "default" : flags.Network;
        return new(StringComparer.Ordinal)
        {
            [network] = new Bulwark.Api.Models.Networks.EndpointConfig
            {
                IPAMConfig = ipam,
                Aliases = flags.NetworkAliases.Count > 0 ? [.. flags.NetworkAliases] : null,
                MacAddress = string.IsNullOrEmpty(flags.MacAddress) ? null : flags.MacAddress,
                Links = flags.Links.Count > 0 ? [.. flags.Links] : null,
            },
        };
    }

    /// <summary><c>net_admin</c> → <c>CAP_NET_ADMIN</c>; <c>ALL</c> stays.</summary>
    public static string NormalizeCapability(string capability)
    {
        var upper = capability.Trim().ToUpperInvariant();
        return upper == "ALL" || upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
    }

    /// <summary><c>-e NAME</c> takes the CLI's value if set, else is sent as-is (docker's behaviour).</summary>
    public static string ExpandEnv(string entry, Func<string, string?> getEnvironment)
    {
        if (entry.Contains('=', StringComparison.Ordinal))
        {
            if (entry.StartsWith('='))
            {
                throw Flag("-e, --env", entry, "invalid environment variable: " + entry);
            }

            return entry;
        }

        return getEnvironment(entry) is { } value ? entry + "=" + value : entry;
    }

    public static IEnumerable<string> ParseEnvFile(string path, string content, Func<string, string?> getEnvironment)
    {
        foreach (var raw in content.Split('\n'))
        {
            var line = raw.TrimEnd('\r').TrimStart();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith('='))
            {
                throw Invalid($"invalid environment variable in {path}: {line}");
            }

            yield return ExpandEnv(line, getEnvironment);
        }
    }

    public static UlimitDto ParseUlimit(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw Flag("--ulimit", text, $"invalid ulimit argument: {text}");
        }

        var name = text[..eq];
        var limits = text[(eq + 1)..].Split(':');
        if (limits.Length > 2 || !TryLimit(limits[0], out var soft))
        {
            throw Flag("--ulimit", text, $"invalid ulimit argument: {text}");
        }

        var hard = soft;
        if (limits.Length == 2 && !TryLimit(limits[1], out hard))
        {
            throw Flag("--ulimit", text, $"invalid ulimit argument: {text}");
        }

        if (soft > hard && hard != -1)
        {
            throw Flag("--ulimit", text, $"ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}");
        }

        return new UlimitDto { Name = name, Soft = soft, Hard = hard };

        static bool TryLimit(string s, out long value) =>
            long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static RestartPolicy ParseRestart(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return new RestartPolicy { Name = "no" };
        }

        var parts = text.Split(':');
        var name = parts[0];
        if (name is not ("no" or "always" or "unless-stopped" or "on-failure") || parts.Length > 2)
        {
            throw Flag("--restart", text, $"invalid restart policy '{text}'");
        }

        var count = 0;
        if (parts.Length == 2)
        {
            if (name != "on-failure")
            {
                throw Flag("--restart", text, $"maximum retry count cannot be used with restart policy '{name}'");
            }

            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out count))
            {
                throw Flag("--restart", text, $"invalid restart policy format: maximum retry count must be an integer");
            }
        }

        return new RestartPolicy { Name = name, MaximumRetryCount = count };
    }

    public static DeviceMapping ParseDevice(string text)
    {
        var parts = text.Split(':');
        string onHost = parts[0], inContainer = parts[0], permissions = "rwm";
        switch (parts.Length)
        {
            case 1:
                break;
            case 2 when IsDeviceMode(parts[1]):
                permissions = parts[1];
                break;
            case 2:
                inContainer = parts[1];
                break;
            case 3 when IsDeviceMode(parts[2]):
                inContainer = parts[1];
                permissions = parts[2];
                break;
            default:
                throw Flag("--device", text, $"invalid device specification: {text}");
        }

        if (onHost.Length == 0)
        {
            throw Flag("--device", text, $"invalid device specification: {text}");
        }

        return new DeviceMapping { PathOnHost = onHost, PathInContainer = inContainer, CgroupPermissions = permissions };

        static bool IsDeviceMode(string mode) => mode.Length is > 0 and <= 3 && mode.All(c => c is 'r' or 'w' or 'm');
    }

    private static List<Api.Models.Secrets.SecretReference> ParseSecrets(IReadOnlyList<string> specs)
    {
        var list = new List<Api.Models.Secrets.SecretReference>();
        foreach (var spec in specs)
        {
            try
            {
                list.Add(Api.Models.Secrets.SecretReferenceSyntax.Parse(spec));
            }
            catch (FormatException ex)
            {
                throw Flag("--secret", spec, ex.Message);
            }
        }
        return list;
    }

    private static Dictionary<string, string> ParseTmpfs(IReadOnlyList<string> specs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var colon = spec.IndexOf(':', StringComparison.Ordinal);
            var path = colon >= 0 ? spec[..colon] : spec;
            if (!path.StartsWith('/'))
            {
                throw Flag("--tmpfs", spec, $"invalid tmpfs path '{path}': must be absolute");
            }

            map[path] = colon >= 0 ? spec[(colon + 1)..] : "";
        }

        return map;
    }

    private static Dictionary<string, string> ParseMap(IReadOnlyList<string> entries, string flag)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var (k, v) = SplitKeyValue(entry);
            if (v is null || k.Length == 0)
            {
                throw Flag(flag, entry, $"invalid {flag.TrimStart('-')} format '{entry}': expected key=value");
            }

            map[k] = v;
        }

        return map;
    }

    private static (string Key, string? Value) SplitKeyValue(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (text, null) : (text[..eq], text[(eq + 1)..]);
    }

    internal static long Size(string? text, string flag)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        try
        {
            return ByteSizeParser.Parse(text);
        }
        catch (FormatException ex)
        {
            throw Flag(flag, text, ex.Message);
        }
    }

    internal static long NanoCpus(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        try
        {
            return CpuParser.ParseNanoCpus(text);
        }
        catch (FormatException ex)
        {
            throw Flag("--cpus", text, ex.Message);
        }
    }

    private static CliException Flag(string flag, string value, string reason) =>
        new(125, $"invalid argument \"{value}\" for \"{flag}\" flag: {reason}");

    private static CliException Invalid(string message) => new(125, message);
}
