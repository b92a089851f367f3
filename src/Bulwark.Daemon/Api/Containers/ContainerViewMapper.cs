using System.Globalization;
using System.Text.Json;
using Bulwark.Api.Models.Containers;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Networks;

namespace Bulwark.Daemon.Api.Containers;

/// <summary>Engine records → Docker's list and inspect shapes.</summary>
internal static class ContainerViewMapper
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    public static ContainerSummary ToSummary(ContainerRecord r, DateTimeOffset now, IReadOnlyList<(NetworkRecord Network, EndpointRecord Endpoint)>? endpoints = null) => new()
    {
        Id = r.Id,
        Names = ["/" + r.Name],
        Image = r.Spec.Image,
        ImageID = r.ImageId,
        Command = CommandLine(r),
        Created = r.Created.ToUnixTimeSeconds(),
        Labels = r.Labels,
        State = StateName(r.State),
        Status = StatusText(r, now),
        HostConfig = new SummaryHostConfig { NetworkMode = NetworkModeShown(r.Spec.Network) },
        Ports = PortMapper.Summary(r),
        Mounts = Mounts(r),
        NetworkSettings = new SummaryNetworkSettings { Networks = Networks(r, endpoints) },
    };

    public static ContainerInspectResponse ToInspect(
        ContainerRecord r, string logPath, string driver,
        IReadOnlyList<(NetworkRecord Network, EndpointRecord Endpoint)>? endpoints = null, string sandboxKey = "") => new()
    {
        Id = r.Id,
        Created = Time(r.Created),
        Path = r.Path,
        Args = r.Args,
        State = new ContainerStateDto
        {
            Status = StateName(r.State),
            Running = r.State is ContainerState.Running or ContainerState.Paused,
            Paused = r.State == ContainerState.Paused,
            Restarting = r.State == ContainerState.Restarting,
            OOMKilled = r.OomKilled,
            Dead = r.State == ContainerState.Dead,
            Pid = r.Pid,
            ExitCode = r.ExitCode,
            Error = r.Error,
            StartedAt = r.StartedAt is { } s ? Time(s) : ZeroTime,
            FinishedAt = r.FinishedAt is { } f ? Time(f) : ZeroTime,
            Health = r.Health is { } h
                ? new HealthDto
                {
                    Status = h.Status,
                    FailingStreak = h.FailingStreak,
                    Log = [.. h.Log.Select(l => new HealthLogDto(Time(l.Start), Time(l.End), l.ExitCode, l.Output))],
                }
                : null,
        },
        Image = r.ImageId,
        LogPath = logPath,
        Name = "/" + r.Name,
        RestartCount = r.RestartCount,
        Driver = driver,
        HostConfig = HostConfigOf(r),
        GraphDriver = new GraphDriverDto { Name = driver },
        Mounts = Mounts(r),
        Config = new ContainerConfigDto
        {
            Hostname = r.Hostname,
            User = r.User,
            Tty = r.Spec.Tty,
            OpenStdin = r.Spec.OpenStdin,
            StdinOnce = r.Spec.StdinOnce,
            AttachStdout = true,
            AttachStderr = true,
            AttachStdin = r.Spec.OpenStdin,
            Env = r.Env,
            Cmd = r.Spec.Cmd,
            Image = r.Spec.Image,
            WorkingDir = r.WorkingDir,
            Entrypoint = r.Spec.Entrypoint,
            Labels = r.Labels,
            StopSignal = r.Spec.StopSignal,
            StopTimeout = r.Spec.StopTimeout,
            ExposedPorts = PortMapper.Exposed(r),
            Volumes = r.Volumes.Any(v => v.Anonymous)
                ? r.Volumes.Where(v => v.Anonymous).DistinctBy(v => v.Destination).ToDictionary(v => v.Destination, _ => EmptyObject)
                : null,
            Healthcheck = r.Spec.Healthcheck is { } hc
                ? new HealthConfig
                {
                    Test = [.. hc.Command],
                    Interval = hc.Interval.Ticks * 100,
                    Timeout = hc.Timeout.Ticks * 100,
                    StartPeriod = hc.StartPeriod.Ticks * 100,
                    Retries = hc.Retries,
                }
                : null,
        },
        NetworkSettings = new NetworkSettingsDto { Networks = Networks(r, endpoints), SandboxKey = sandboxKey, Ports = PortMapper.Published(r) },
        SecurityProfile = new SecurityProfileDto
        {
            Capabilities = r.Profile.Capabilities,
            NoNewPrivileges = r.Profile.NoNewPrivileges,
            Seccomp = r.Profile.Seccomp,
            SeccompSyscalls = r.Profile.SeccompSyscalls,
            MaskedPaths = r.Profile.MaskedPaths,
            ReadonlyPaths = r.Profile.ReadonlyPaths,
            PidsLimit = r.Profile.PidsLimit,
            ReadOnlyRootfs = r.Spec.Storage.ReadOnlyRootfs,
            UserNamespace = r.Profile.UserNamespace,
            UidMap = r.Profile.UidMap,
            GidMap = r.Profile.GidMap,
            Lsm = r.Profile.Lsm,
            Limits = r.Profile.Limits,
            Init = r.Profile.Init,
            Devices = r.Profile.Devices,
            Runtime = r.Runtime,
        },
    };

    private static HostConfig HostConfigOf(ContainerRecord r)
    {
        var s = r.Spec;
        return new HostConfig
        {
            BulwarkSecrets = SecretReferenceMapper.ToWire(r.Secrets),
            Binds = s.Storage.Binds.Count == 0 && !s.Storage.Volumes.Any(v => v.Name is not null) ? null :
            [
                .. s.Storage.Binds.Select(b => $"{b.Source}:{b.Destination}{(b.ReadOnly ? ":ro" : "")}"),
                .. s.Storage.Volumes.Where(v => v.Name is not null).Select(v => $"{v.Name}:{v.Destination}{(v.Mode.Length > 0 ? ":" + v.Mode : v.ReadOnly ? ":ro" : "")}"),
            ],
            LogConfig = new LogConfig
            {
                Type = s.Log.Driver,
                Config = s.Log.MaxSizeBytes > 0
                    ? new Dictionary<string, string>
                    {
                        ["max-size"] = s.Log.MaxSizeBytes.ToString(CultureInfo.InvariantCulture),
                        ["max-file"] = s.Log.MaxFile.ToString(CultureInfo.InvariantCulture),
                    }
                    : [],
            },
            NetworkMode = NetworkModeShown(s.Network),
            Links = s.Network.Links.Count > 0 ? [.. s.Network.Links] : null,
            VolumesFrom = s.Storage.VolumesFrom.Count > 0 ? [.. s.Storage.VolumesFrom] : null,
            DeviceCgroupRules = s.Security.DeviceCgroupRules.Count > 0 ? [.. s.Security.DeviceCgroupRules] : null,
            PortBindings = PortMapper.Bindings(r),
            PublishAllPorts = s.Ports.PublishAll,
            RestartPolicy = new RestartPolicy { Name = s.Restart.Name, MaximumRetryCount = s.Restart.MaximumRetryCount },
            AutoRemove = s.AutoRemove,
            CapAdd = s.Security.CapAdd.Count == 0 ? null : [.. s.Security.CapAdd],
            GroupAdd = s.GroupAdd.Count == 0 ? null : [.. s.GroupAdd],
            Init = s.Security.Init ? true : null,
            Isolation = s.Security.Isolation,
            CapDrop = s.Security.CapDrop.Count == 0 ? null : [.. s.Security.CapDrop],
            CgroupnsMode = "private",
            IpcMode = s.Security.IpcMode ?? "private",
            PidMode = s.Security.PidMode ?? "",
            UTSMode = s.Security.UtsMode ?? "",
            UsernsMode = s.Security.UsernsMode ?? "",
            Privileged = s.Security.Privileged,
            ReadonlyRootfs = s.Storage.ReadOnlyRootfs,
            SecurityOpt = EffectiveSecurityOpt(r),
            ShmSize = s.Storage.ShmSizeBytes ?? 64 * 1024 * 1024,
            Runtime = r.Runtime,
            Memory = s.Resources.MemoryBytes ?? 0,
            MemorySwap = s.Resources.MemorySwapBytes ?? 0,
            MemoryReservation = s.Resources.MemoryReservationBytes ?? 0,
            NanoCpus = s.Resources.NanoCpus ?? 0,
            CpuShares = s.Resources.CpuShares ?? 0,
            CpuQuota = s.Resources.CpuQuota ?? 0,
            CpuPeriod = s.Resources.CpuPeriod ?? 0,
            CpusetCpus = s.Resources.CpusetCpus ?? "",
            PidsLimit = r.Profile.PidsLimit,
            OomScoreAdj = s.Resources.OomScoreAdj ?? 0,
            Ulimits = [.. s.Resources.Ulimits.Select(u => new UlimitDto { Name = u.Name, Soft = u.Soft, Hard = u.Hard })],
            Tmpfs = s.Storage.Tmpfs.Count == 0 ? null : new Dictionary<string, string>(s.Storage.Tmpfs),
            MaskedPaths = [.. r.Profile.MaskedPaths],
            ReadonlyPaths = [.. r.Profile.ReadonlyPaths],
        };
    }

    private static List<string> EffectiveSecurityOpt(ContainerRecord r)
    {
        var opts = new List<string>();
        if (r.Profile.NoNewPrivileges)
        {
            opts.Add("no-new-privileges");
        }
        opts.Add("seccomp=" + r.Profile.Seccomp);
        return opts;
    }

    private static IReadOnlyList<MountPoint> Mounts(ContainerRecord r) =>
        [.. r.Spec.Storage.Binds.Select(b => new MountPoint
        {
            Type = "bind",
            Source = b.Source,
            Destination = b.Destination,
            Mode = b.ReadOnly ? "ro" : "",
            RW = !b.ReadOnly,
            Propagation = b.Propagation,
        }),
        .. r.Volumes.Select(v => new MountPoint
        {
            Type = "volume",
            Name = v.Name,
            Source = v.Source,
            Destination = v.Destination,
            Driver = "local",
            Mode = v.Mode,
            RW = !v.ReadOnly,
            Propagation = "",
        })];

    /// <summary>
    /// HostConfig.NetworkMode as inspect and ps show it: "default" for a container created without a network mode (what
    /// the client sent, as dockerd 20.10 shows it; here it means loopback only until connected), "none" only for an
    /// explicit --network none (which cannot be connected), otherwise the mode.
    /// </summary>
    internal static string NetworkModeShown(NetworkSpec network) => network is { Mode: "none", Explicit: false } ? "default" : network.Mode;

    private static Dictionary<string, EndpointSettings> Networks(ContainerRecord r, IReadOnlyList<(NetworkRecord Network, EndpointRecord Endpoint)>? endpoints) =>
        // A container created without a network shows its mode until it is connected, then its networks (as dockerd).
        !ContainerService.IsUserNetwork(r.Spec.Network.Mode) && endpoints is not { Count: > 0 }
            ? new() { [r.Spec.Network.Mode] = new EndpointSettings() }
            : (endpoints ?? []).ToDictionary(x => x.Network.Name, x => new EndpointSettings
            {
                IPAMConfig = x.Endpoint.RequestedAddress is null && x.Endpoint.RequestedIPv6Address is null
                    ? null
                    : new Bulwark.Api.Models.Networks.EndpointIpamConfig { IPv4Address = x.Endpoint.RequestedAddress, IPv6Address = x.Endpoint.RequestedIPv6Address },
                Aliases = x.Endpoint.Aliases.Count > 0 ? x.Endpoint.Aliases : null,
                Links = x.Endpoint.Links.Count > 0 ? x.Endpoint.Links : null,
                NetworkID = x.Network.Id,
                EndpointID = x.Endpoint.EndpointId,
                Gateway = x.Network.Gateway,
                IPAddress = x.Endpoint.IPv4Address,
                IPPrefixLen = x.Network.ParsedSubnet.PrefixLength,
                MacAddress = x.Endpoint.MacAddress,
                GlobalIPv6Address = x.Endpoint.IPv6Address ?? "",
                GlobalIPv6PrefixLen = x.Endpoint.IPv6Address is null ? 0 : x.Network.ParsedSubnet6!.Value.PrefixLength,
                IPv6Gateway = x.Endpoint.IPv6Address is null ? "" : x.Network.Gateway6 ?? "",
            }, StringComparer.Ordinal);

    public static string StateName(ContainerState s) => s switch
    {
        ContainerState.Created => "created",
        ContainerState.Running => "running",
        ContainerState.Paused => "paused",
        ContainerState.Restarting => "restarting",
        ContainerState.Removing => "removing",
        ContainerState.Dead => "dead",
        _ => "exited",
    };

    /// <summary>Docker's rendered status text ("Up 2 minutes", "Exited (0) 5 seconds ago", "Created").</summary>
    public static string StatusText(ContainerRecord r, DateTimeOffset now) => r.State switch
    {
        ContainerState.Running => "Up " + HumanDuration(now - (r.StartedAt ?? now)) + (r.Health is { } h ? $" ({(h.Status == "starting" ? "health: starting" : h.Status)})" : ""),
        ContainerState.Paused => "Up " + HumanDuration(now - (r.StartedAt ?? now)) + " (Paused)",
        ContainerState.Created => "Created",
        ContainerState.Removing => "Removal In Progress",
        ContainerState.Dead => "Dead",
        ContainerState.Restarting => $"Restarting ({r.ExitCode}) {HumanDuration(now - (r.FinishedAt ?? now))} ago",
        _ => r.FinishedAt is { } f ? $"Exited ({r.ExitCode}) {HumanDuration(now - f)} ago" : $"Exited ({r.ExitCode})",
    };

    /// <summary>go-units HumanDuration wording, which the docker CLI shows verbatim.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        double seconds = d.TotalSeconds;
        if (seconds < 1)
        {
            return "Less than a second";
        }
        if (seconds < 2)
        {
            return "1 second";
        }
        if (seconds < 60)
        {
            return $"{(int)seconds} seconds";
        }
        double minutes = d.TotalMinutes;
        if ((int)minutes == 1)
        {
            return "About a minute";
        }
        if (minutes < 60)
        {
            return $"{(int)minutes} minutes";
        }
        double hours = d.TotalHours;
        if ((int)Math.Round(hours) == 1)
        {
            return "About an hour";
        }
        if (hours < 48)
        {
            return $"{(int)hours} hours";
        }
        if (hours < 24 * 7 * 2)
        {
            return $"{(int)(hours / 24)} days";
        }
        if (hours < 24 * 30 * 2)
        {
            return $"{(int)(hours / 24 / 7)} weeks";
        }
        if (hours < 24 * 365 * 2)
        {
            return $"{(int)(hours / 24 / 30)} months";
        }
        return $"{(int)(hours / 24 / 365)} years";
    }

    public static string CommandLine(ContainerRecord r) =>
        string.Join(' ', new[] { r.Path }.Concat(r.Args).Select(a => a.Contains(' ', StringComparison.Ordinal) ? "'" + a + "'" : a));

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
