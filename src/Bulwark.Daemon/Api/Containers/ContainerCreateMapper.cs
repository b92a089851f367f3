using System.Globalization;
using Bulwark.Api.Models.Containers;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Security;

namespace Bulwark.Daemon.Api.Containers;

/// <summary>
/// Maps Docker's create body directly to the engine's neutral <see cref="ContainerSpec"/>. Options we do not
/// implement are refused with a 400 naming the field, never silently dropped.
/// </summary>
internal static class ContainerCreateMapper
{
    private const long MinimumMemory = 6 * 1024 * 1024;

    public static ContainerSpec Map(ContainerCreateRequest body, string? name)
    {
        if (string.IsNullOrWhiteSpace(body.Image))
        {
            throw EngineException.Invalid("Config.Image: an image is required");
        }
        var hc = body.HostConfig ?? new HostConfig();
        RefuseUnsupported(body, hc);

        if (hc.Memory is > 0 and < MinimumMemory)
        {
            throw EngineException.Invalid("Minimum memory limit allowed is 6MB");
        }
        if (hc.Memory < 0 || hc.NanoCpus < 0 || hc.CpuShares < 0)
        {
            throw EngineException.Invalid("HostConfig: negative resource limits are invalid");
        }
        if (hc.NanoCpus > 0 && (hc.CpuQuota > 0 || hc.CpuPeriod > 0))
        {
            throw EngineException.Invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }

        return new ContainerSpec
        {
            Image = body.Image,
            Name = name,
            Entrypoint = body.Entrypoint,
            Cmd = body.Cmd,
            Env = body.Env ?? [],
            WorkingDir = NullIfEmpty(body.WorkingDir),
            User = NullIfEmpty(body.User),
            GroupAdd = hc.GroupAdd ?? [],
            Hostname = NullIfEmpty(body.Hostname),
            Labels = body.Labels ?? [],
            Tty = body.Tty,
            ConsoleSize = hc.ConsoleSize is [int rows, int cols] && rows > 0 && cols > 0 ? new TerminalSize(rows, cols) : null,
            OpenStdin = body.OpenStdin,
            StdinOnce = body.StdinOnce,
            StopSignal = NullIfEmpty(body.StopSignal),
            StopTimeout = body.StopTimeout,
            AutoRemove = hc.AutoRemove,
            Restart = MapRestart(hc.RestartPolicy, hc.AutoRemove),
            Healthcheck = MapHealthcheck(body.Healthcheck),
            Storage = MountMapper.Map(body, hc) with { VolumesFrom = hc.VolumesFrom ?? [] },
            Resources = new ResourceSpec
            {
                MemoryBytes = hc.Memory > 0 ? hc.Memory : null,
                MemorySwapBytes = hc.MemorySwap != 0 ? hc.MemorySwap : null,
                MemoryReservationBytes = hc.MemoryReservation > 0 ? hc.MemoryReservation : null,
                NanoCpus = hc.NanoCpus > 0 ? hc.NanoCpus : null,
                CpuShares = hc.CpuShares > 0 ? hc.CpuShares : null,
                CpuQuota = hc.CpuQuota > 0 ? hc.CpuQuota : null,
                CpuPeriod = hc.CpuPeriod > 0 ? hc.CpuPeriod : null,
                CpusetCpus = NullIfEmpty(hc.CpusetCpus),
                // The docker CLI sends 0 when --pids-limit is absent: 0/null mean "our default", -1 means unlimited.
                PidsLimit = hc.PidsLimit is > 0 or -1 ? hc.PidsLimit : null,
                OomScoreAdj = hc.OomScoreAdj != 0 ? (int)hc.OomScoreAdj : null,
                Ulimits = [.. (hc.Ulimits ?? []).Select(u => new Ulimit(u.Name ?? throw EngineException.Invalid("HostConfig.Ulimits: name missing"), u.Soft, u.Hard))],
            },
            Security = new SecuritySpec
            {
                Privileged = hc.Privileged,
                CapAdd = hc.CapAdd ?? [],
                CapDrop = hc.CapDrop ?? [],
                SecurityOpt = hc.SecurityOpt ?? [],
                MaskedPaths = hc.MaskedPaths,
                ReadonlyPaths = hc.ReadonlyPaths,
                PidMode = NullIfEmpty(hc.PidMode),
                IpcMode = NullIfEmpty(hc.IpcMode),
                UtsMode = NullIfEmpty(hc.UTSMode),
                UsernsMode = NullIfEmpty(hc.UsernsMode),
                Sysctls = hc.Sysctls ?? [],
                Init = hc.Init ?? false,
                Isolation = MapIsolation(hc.Isolation),
                DeviceCgroupRules = ValidDeviceCgroupRules(hc.DeviceCgroupRules),
                Devices = [.. (hc.Devices ?? []).Select(d => $"{d.PathOnHost}:{(string.IsNullOrEmpty(d.PathInContainer) ? d.PathOnHost : d.PathInContainer)}:{(string.IsNullOrEmpty(d.CgroupPermissions) ? "rwm" : d.CgroupPermissions)}")],
            },
            Network = MapNetwork(hc.NetworkMode, body.NetworkDisabled, body.NetworkingConfig, hc.Links),
            Ports = PortMapper.Map(body, hc),
            Log = MapLog(hc.LogConfig),
            Secrets = SecretReferenceMapper.Map(hc.BulwarkSecrets, body.Labels),
        };
    }

    // Checked here so a malformed rule is a 400 at create naming it, not a failure at start.
    private static List<string> ValidDeviceCgroupRules(List<string>? rules)
    {
        foreach (string rule in rules ?? [])
        {
            DeviceCgroupRule.Parse(rule);
        }
        return rules ?? [];
    }

    // dockerd on Linux knows one isolation technology.
    private static string MapIsolation(string? isolation) =>
        string.IsNullOrEmpty(isolation) || string.Equals(isolation, "default", StringComparison.OrdinalIgnoreCase)
            ? isolation?.ToLowerInvariant() ?? ""
            : throw EngineException.Invalid($"Invalid isolation: \"{isolation}\" - linux only supports 'default'");

    private static void RefuseUnsupported(ContainerCreateRequest body, HostConfig hc)
    {
        if (hc.VolumeDriver is { Length: > 0 } vd && vd != "local")
        {
            throw EngineException.Invalid($"HostConfig.VolumeDriver (--volume-driver) \"{vd}\" is not supported: bulwark has only the \"local\" driver");
        }
        if (hc.Runtime is { Length: > 0 } rt && rt is not ("runc" or "crun"))
        {
            throw EngineException.Invalid($"HostConfig.Runtime: unknown runtime \"{rt}\"");
        }
        if (hc.CgroupParent is { Length: > 0 })
        {
            throw EngineException.Invalid("HostConfig.CgroupParent (--cgroup-parent) is not supported");
        }
    }

    /// <summary>One bind-mount entry of <c>HostConfig.Binds</c> (volume names are refused here; see <see cref="MountMapper"/>).</summary>
    internal static BindMount ParseBind(string spec) =>
        MountMapper.ParseBindOrVolume(spec) as BindMount ?? throw EngineException.Invalid($"invalid bind specification: '{spec}': the source is not an absolute host path");

    private static HealthcheckSpec? MapHealthcheck(HealthConfig? h)
    {
        if (h?.Test is not { Count: > 0 } test)
        {
            return null; // inherit the image's HEALTHCHECK
        }
        if (test[0] == "NONE")
        {
            return new HealthcheckSpec { Command = ["NONE"] }; // --no-healthcheck: disables the image's too
        }
        if (test[0] is not ("CMD" or "CMD-SHELL") || test.Count < 2)
        {
            throw EngineException.Invalid($"Config.Healthcheck.Test: expected [\"CMD\", args…] or [\"CMD-SHELL\", command], got [{string.Join(", ", test)}]");
        }
        if (h.Interval < 0 || h.Timeout < 0 || h.StartPeriod < 0 || h.Retries < 0)
        {
            throw EngineException.Invalid("Config.Healthcheck: interval, timeout, start period and retries cannot be negative");
        }
        const long MinNs = 1_000_000;
        if ((h.Interval is > 0 and < MinNs) || (h.Timeout is > 0 and < MinNs))
        {
            throw EngineException.Invalid("Config.Healthcheck: interval and timeout must be at least 1ms");
        }
        return new HealthcheckSpec
        {
            Command = test,
            Interval = h.Interval > 0 ? TimeSpan.FromTicks(h.Interval / 100) : TimeSpan.FromSeconds(30),
            Timeout = h.Timeout > 0 ? TimeSpan.FromTicks(h.Timeout / 100) : TimeSpan.FromSeconds(30),
            StartPeriod = TimeSpan.FromTicks(h.StartPeriod / 100),
            Retries = h.Retries > 0 ? h.Retries : 3,
        };
    }

    internal static RestartPolicySpec MapRestart(RestartPolicy? policy, bool autoRemove)
    {
        string name = policy?.Name is { Length: > 0 } n ? n : "no";
        if (name is not ("no" or "always" or "unless-stopped" or "on-failure"))
        {
            throw EngineException.Invalid($"invalid restart policy: unknown policy '{name}'; use no, always, unless-stopped or on-failure");
        }
        int retries = policy?.MaximumRetryCount ?? 0;
        if (retries < 0)
        {
            throw EngineException.Invalid("invalid restart policy: maximum retry count cannot be negative");
        }
        if (retries > 0 && name != "on-failure")
        {
            throw EngineException.Invalid($"invalid restart policy: maximum retry count can only be used with 'on-failure'");
        }
        if (autoRemove && name != "no")
        {
            throw EngineException.Invalid("Conflicting options: --restart and --rm");
        }
        return new RestartPolicySpec { Name = name, MaximumRetryCount = retries };
    }

    private static NetworkSpec MapNetwork(string? mode, bool? disabled, Bulwark.Api.Models.Networks.NetworkingConfig? networking, List<string>? hostLinks)
    {
        if (disabled == true)
        {
            RefuseEndpointOptions("none", networking, hostLinks);
            return new NetworkSpec { Mode = "none", Explicit = true };
        }
        string resolved = mode switch
        {
            null or "" or "none" or "default" => "none",
            "host" => "host",
            "bridge" => throw EngineException.Invalid(
                "HostConfig.NetworkMode \"bridge\": there is no default bridge network; create one with `docker network create NAME` " +
                "and use --network NAME (containers default to --network none)"),
            _ when mode.StartsWith("container:", StringComparison.Ordinal) =>
                throw EngineException.Invalid($"HostConfig.NetworkMode \"{mode}\" (sharing another container's network namespace) is not supported"),
            _ => mode,
        };
        if (!ContainerService.IsUserNetwork(resolved))
        {
            RefuseEndpointOptions(resolved, networking, hostLinks);
            return new NetworkSpec { Mode = resolved, Explicit = mode is "none" or "host" };
        }
        var endpoints = new Dictionary<string, Bulwark.Engine.Networks.EndpointRequest>(StringComparer.Ordinal);
        foreach (var (network, config) in networking?.EndpointsConfig ?? [])
        {
            // The docker CLI sends --link both as HostConfig.Links and as the primary network's EndpointsConfig links.
            var links = (config?.Links ?? []).Concat(network == resolved ? hostLinks ?? [] : []).Distinct(StringComparer.Ordinal).ToList();
            endpoints[network] = new Bulwark.Engine.Networks.EndpointRequest
            {
                Aliases = config?.Aliases ?? [],
                IPv4Address = NullIfEmpty(config?.IPAMConfig?.IPv4Address),
                IPv6Address = NullIfEmpty(config?.IPAMConfig?.IPv6Address),
                MacAddress = NullIfEmpty(config?.MacAddress),
                Links = links,
            };
        }
        if (hostLinks is { Count: > 0 } && !endpoints.ContainsKey(resolved))
        {
            endpoints[resolved] = new Bulwark.Engine.Networks.EndpointRequest { Links = hostLinks };
        }
        return new NetworkSpec { Mode = resolved, Endpoints = endpoints, Links = hostLinks ?? [] };
    }

    /// <summary>--link and --mac-address describe an endpoint on a user network: without one there is nothing to apply them to.</summary>
    private static void RefuseEndpointOptions(string mode, Bulwark.Api.Models.Networks.NetworkingConfig? networking, List<string>? hostLinks)
    {
        if (hostLinks is { Count: > 0 } || networking?.EndpointsConfig?.Values.Any(c => c?.Links is { Count: > 0 }) == true)
        {
            throw EngineException.Invalid(
                $"--link needs a user network (--network NAME): network mode \"{mode}\" has no peers to link to (there is no default bridge network)");
        }
        if (networking?.EndpointsConfig?.Values.Any(c => c?.MacAddress is { Length: > 0 }) == true)
        {
            // dockerd's words for a MAC address with a network mode that has no interface of its own.
            throw EngineException.Invalid($"conflicting options: mac-address and the network mode: --mac-address needs a user network (--network NAME), not \"{mode}\"");
        }
    }

    private static LogSpec MapLog(LogConfig? log)
    {
        if (log is null)
        {
            return new LogSpec();
        }
        string driver = log.Type is { Length: > 0 } t ? t : "json-file";
        if (driver is not ("json-file" or "local" or "none"))
        {
            // dockerd's wording for a driver it has no factory for.
            throw EngineException.Invalid($"logger: no log driver named '{driver}' is registered");
        }
        long maxSize = -1;
        int maxFile = 1;
        foreach (var kv in log.Config ?? [])
        {
            switch (kv.Key)
            {
                case "max-size" when driver != "none":
                    maxSize = ParseSize(kv.Value, "max-size");
                    break;
                case "max-file" when driver != "none":
                    if (!int.TryParse(kv.Value, NumberStyles.None, CultureInfo.InvariantCulture, out maxFile) || maxFile < 1)
                    {
                        throw EngineException.Invalid($"invalid value for log-opt max-file: {kv.Value}");
                    }
                    break;
                default:
                    throw EngineException.Invalid($"unknown log opt '{kv.Key}' for {driver} log driver");
            }
        }
        if (maxFile > 1 && maxSize <= 0)
        {
            throw EngineException.Invalid("max-file cannot be set without max-size");
        }
        return new LogSpec { Driver = driver, MaxSizeBytes = maxSize, MaxFile = maxFile };
    }

    internal static long ParseSize(string value, string what)
    {
        string v = value.Trim().ToLowerInvariant();
        long mult = 1;
        if (v.EndsWith('b'))
        {
            v = v[..^1];
        }
        switch (v.Length > 0 ? v[^1] : ' ')
        {
            case 'k': mult = 1024; v = v[..^1]; break;
            case 'm': mult = 1024 * 1024; v = v[..^1]; break;
            case 'g': mult = 1024L * 1024 * 1024; v = v[..^1]; break;
        }
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || n <= 0)
        {
            throw EngineException.Invalid($"invalid value for {what}: {value}");
        }
        return (long)(n * mult);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
