using System.Text.Json;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Runtime.Oci;

/// <summary>Builds the OCI runtime spec (config.json) for one container.</summary>
public static class OciSpecBuilder
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    public const ulong DefaultNofile = 1048576;
    public const long DefaultShmBytes = 64L * 1024 * 1024;
    public const long MinimumMemoryBytes = 6L * 1024 * 1024;
    private const ulong CpuPeriod = 100000;
    private const string CgroupMountPath = "/sys/fs/cgroup";

    /// <summary>Where --init's binary appears in the container (read-only bind of the host's tini).</summary>
    public const string InitPath = "/sbin/init-bulwark";

    private static readonly string[] UlimitNames =
    [
        "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio",
        "rttime", "sigpending", "stack", "as",
    ];

    private static readonly string[] Propagations = ["rprivate", "private", "rshared", "shared", "rslave", "slave"];

    public static OciSpec Build(OciSpecInput input)
    {
        var spec = input.Spec;
        var image = input.Image;
        var profile = input.Profile;

        var args = ResolveArgs(spec.Entrypoint, spec.Cmd, image.Entrypoint, image.Cmd);
        if (spec.Security.Init)
        {
            if (input.InitBinary is null)
            {
                throw EngineException.Invalid("HostConfig.Init (--init): no init binary (tini or catatonit) is installed on this host");
            }

            args = [InitPath, "--", .. args];
        }
        var env = ResolveEnv(image.Env, spec.Env, input.Hostname, spec.Tty);
        var cwd = string.IsNullOrEmpty(spec.WorkingDir) ? string.IsNullOrEmpty(image.WorkingDir) ? "/" : image.WorkingDir : spec.WorkingDir;
        if (!cwd.StartsWith('/'))
        {
            throw EngineException.Invalid($"invalid working directory {cwd}: the path must be absolute");
        }

        var user = ContainerUser.Resolve(string.IsNullOrEmpty(spec.User) ? image.User : spec.User, input.RootfsPath, spec.GroupAdd);
        var caps = profile.Capabilities;

        var process = new OciProcess
        {
            Terminal = spec.Tty,
            ConsoleSize = spec.Tty && spec.ConsoleSize is { Rows: > 0, Columns: > 0 } size ? new OciConsoleSize(size.Rows, size.Columns) : null,
            User = user,
            Args = args,
            Env = env,
            Cwd = cwd,
            Capabilities = new OciCapabilities { Bounding = caps, Effective = caps, Permitted = caps, Inheritable = [], Ambient = [] },
            Rlimits = ResolveRlimits(spec.Resources.Ulimits, input.HostLimits ?? HostRlimits.ReadCurrent()),
            NoNewPrivileges = profile.NoNewPrivileges,
            ApparmorProfile = profile.ApparmorProfile,
            SelinuxLabel = profile.SelinuxLabel,
            OomScoreAdj = spec.Resources.OomScoreAdj,
        };

        var hostNetwork = spec.Network.Mode == "host";
        var namespaces = new List<OciNamespace>
        {
            new() { Type = "pid" }, new() { Type = "ipc" }, new() { Type = "uts" }, new() { Type = "mount" },
            new() { Type = "cgroup" },
        };
        if (!hostNetwork)
        {
            namespaces.Add(new OciNamespace { Type = "network" });
        }

        if (input.UidMappings is { Count: > 0 })
        {
            namespaces.Add(new OciNamespace { Type = "user" });
        }

        var devices = profile.Devices.Select(d => d.Resolve()).ToList();
        var resources = BuildResources(input);
        if (devices.Count > 0)
        {
            resources = resources with { Devices = [.. resources.Devices ?? [], .. devices.Select(d => d.Rule)] };
        }
        if (profile.DeviceCgroupRules.Count > 0)
        {
            resources = resources with { Devices = [.. resources.Devices ?? [], .. profile.DeviceCgroupRules.Select(r => r.ToOci())] };
        }

        return new OciSpec
        {
            Process = process,
            Root = new OciRoot { Path = input.RootfsPath, Readonly = spec.Storage.ReadOnlyRootfs },
            Hostname = hostNetwork ? null : input.Hostname,
            Mounts = BuildMounts(input),
            Linux = new OciLinux
            {
                UidMappings = input.UidMappings,
                GidMappings = input.GidMappings,
                Sysctl = ResolveSysctls(spec.Security.Sysctls, hostNetwork),
                Resources = resources,
                CgroupsPath = input.CgroupsPath,
                Namespaces = namespaces,
                Seccomp = profile.Seccomp,
                MaskedPaths = profile.MaskedPaths,
                ReadonlyPaths = ReadonlyPathsWithCgroupMount(profile.ReadonlyPaths),
                Devices = devices.Count > 0 ? devices.Select(d => d.Device).ToList() : null,
            },
            Hooks = input.NetworkSetupScript is { } script && !hostNetwork ? NetworkSetupHooks(script) : null,
        };
    }

    /// <summary>
    /// The profile's read-only paths plus <c>/sys/fs/cgroup</c>, always (as the cgroup mount is ro even when privileged).
    /// On a cgroup v1 (or hybrid) host runc builds that mount as a tmpfs holding one bind per controller: the mount's
    /// "ro" option reaches the binds but not the tmpfs, which stays writable. A read-only path is re-bound and remounted
    /// read-only by the runtime after all mounts, which covers the tmpfs too.
    /// </summary>
    internal static IReadOnlyList<string> ReadonlyPathsWithCgroupMount(IReadOnlyList<string> readonlyPaths) =>
        readonlyPaths.Contains(CgroupMountPath, StringComparer.Ordinal) ? readonlyPaths : [.. readonlyPaths, CgroupMountPath];

    /// <summary>The createRuntime hook that runs the network wiring script once runc has made the namespace.</summary>
    public static OciHooks NetworkSetupHooks(string script) =>
        new() { CreateRuntime = [new OciHook { Path = "/bin/sh", Args = ["sh", script], Timeout = 30 }] };

    /// <summary>config.json bytes for a spec.</summary>
    public static byte[] ToJson(OciSpec spec) => JsonSerializer.SerializeToUtf8Bytes(spec, OciJsonContext.Default.OciSpec);

    /// <summary>Docker's Entrypoint/Cmd merge.</summary>
    public static IReadOnlyList<string> ResolveArgs(
        IReadOnlyList<string>? specEntrypoint, IReadOnlyList<string>? specCmd,
        IReadOnlyList<string>? imageEntrypoint, IReadOnlyList<string>? imageCmd)
    {
        IReadOnlyList<string> entrypoint;
        IReadOnlyList<string> cmd;
        if (specEntrypoint is not null)
        {
            // An entrypoint given at create time replaces the image's and drops the image's Cmd.
            entrypoint = specEntrypoint;
            cmd = specCmd ?? [];
        }
        else
        {
            entrypoint = imageEntrypoint ?? [];
            cmd = specCmd ?? imageCmd ?? [];
        }

        var args = entrypoint.Concat(cmd).ToList();
        if (args.Count == 0 || args[0].Length == 0)
        {
            throw EngineException.Invalid("No command specified");
        }

        return args;
    }

    /// <summary>Default PATH, HOSTNAME, TERM (tty), then image env, then the container's env (KEY alone removes KEY).</summary>
    public static IReadOnlyList<string> ResolveEnv(IReadOnlyList<string> imageEnv, IReadOnlyList<string> specEnv, string hostname, bool tty)
    {
        var env = new List<string> { DefaultPath, "HOSTNAME=" + hostname };
        if (tty)
        {
            env.Add("TERM=xterm");
        }

        foreach (var entry in imageEnv.Concat(specEnv))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? entry : entry[..eq];
            if (key.Length == 0)
            {
                throw EngineException.Invalid($"invalid environment variable: {entry}");
            }

            var index = env.FindIndex(e => e.StartsWith(key + "=", StringComparison.Ordinal));
            if (eq < 0)
            {
                if (index >= 0)
                {
                    env.RemoveAt(index);
                }
            }
            else if (index >= 0)
            {
                env[index] = entry;
            }
            else
            {
                env.Add(entry);
            }
        }

        return env;
    }

    private static List<OciRlimit> ResolveRlimits(IReadOnlyList<Containers.Ulimit> ulimits, HostRlimits host)
    {
        // The bounding set lacks CAP_SYS_RESOURCE, so no limit may exceed the daemon's own hard limit.
        var result = new List<OciRlimit>();
        var nofileHard = Math.Min(DefaultNofile, host.HardLimit("RLIMIT_NOFILE"));
        result.Add(new OciRlimit { Type = "RLIMIT_NOFILE", Hard = nofileHard, Soft = nofileHard });
        foreach (var u in ulimits)
        {
            var name = u.Name.Trim().ToLowerInvariant();
            if (!UlimitNames.Contains(name))
            {
                throw EngineException.Invalid($"invalid ulimit type: {u.Name}");
            }

            var type = "RLIMIT_" + name.ToUpperInvariant();
            var cap = host.HardLimit(type);
            var hard = u.Hard < 0 ? ulong.MaxValue : (ulong)u.Hard;
            var soft = u.Soft < 0 ? ulong.MaxValue : (ulong)u.Soft;
            if (soft > hard)
            {
                throw EngineException.Invalid($"invalid ulimit {u.Name}: soft limit {u.Soft} is greater than hard limit {u.Hard}");
            }

            hard = Math.Min(hard, cap);
            soft = Math.Min(soft, hard);
            result.RemoveAll(r => r.Type == type);
            result.Add(new OciRlimit { Type = type, Hard = hard, Soft = soft });
        }

        return result;
    }

    private static Dictionary<string, string>? ResolveSysctls(IReadOnlyDictionary<string, string> sysctls, bool hostNetwork)
    {
        if (sysctls.Count == 0)
        {
            return null;
        }

        foreach (var key in sysctls.Keys)
        {
            var ipc = key is "kernel.msgmax" or "kernel.msgmnb" or "kernel.msgmni" or "kernel.sem" or "kernel.shmall"
                or "kernel.shmmax" or "kernel.shmmni" or "kernel.shm_rmid_forced"
                || key.StartsWith("fs.mqueue.", StringComparison.Ordinal);
            var net = key.StartsWith("net.", StringComparison.Ordinal);
            if (!ipc && !net)
            {
                throw EngineException.Invalid($"sysctl {key} is not namespaced: it cannot be set for a container");
            }

            if (net && hostNetwork)
            {
                throw EngineException.Invalid($"sysctl {key} cannot be set when the container uses the host's network");
            }
        }

        return new Dictionary<string, string>(sysctls, StringComparer.Ordinal);
    }

    private static OciResources BuildResources(OciSpecInput input)
    {
        return new OciResources
        {
            Devices =
            [
                new() { Allow = false, Access = "rwm" },
                CharDevice(1, 3), CharDevice(1, 5), CharDevice(1, 7), CharDevice(1, 8), CharDevice(1, 9),
                CharDevice(5, 0), CharDevice(5, 1), CharDevice(5, 2), CharDevice(136, null),
            ],
            Memory = BuildMemory(input.Spec.Resources),
            Cpu = BuildCpu(input.Spec.Resources),
            Pids = new OciPids { Limit = input.Profile.PidsLimit ?? -1 },
        };
    }

    /// <summary>The memory cgroup limits of a resource request (null: none), validated as Docker does.</summary>
    internal static OciMemory? BuildMemory(Containers.ResourceSpec r)
    {
        OciMemory? memory = null;
        if (r.MemoryBytes is > 0 || r.MemorySwapBytes is not null and not 0)
        {
            if (r.MemoryBytes is > 0 and < MinimumMemoryBytes)
            {
                throw EngineException.Invalid("Minimum memory limit allowed is 6MB");
            }

            if (r.MemorySwapBytes is > 0 && (r.MemoryBytes is null or <= 0))
            {
                throw EngineException.Invalid("You should always set the Memory limit when using Memoryswap limit");
            }

            if (r.MemorySwapBytes is > 0 && r.MemorySwapBytes < r.MemoryBytes)
            {
                throw EngineException.Invalid("Minimum memoryswap limit should be larger than memory limit");
            }

            long? swap = r.MemorySwapBytes switch
            {
                null or 0 => r.MemoryBytes is > 0 ? r.MemoryBytes * 2 : null,
                _ => r.MemorySwapBytes,
            };
            memory = new OciMemory { Limit = r.MemoryBytes is > 0 ? r.MemoryBytes : null, Swap = swap };
        }

        if (r.MemoryReservationBytes is > 0)
        {
            if (r.MemoryBytes is > 0 && r.MemoryBytes < r.MemoryReservationBytes)
            {
                throw EngineException.Invalid("Minimum memory limit can not be less than memory reservation limit, see usage");
            }

            memory = (memory ?? new OciMemory()) with { Reservation = r.MemoryReservationBytes };
        }

        return memory;
    }

    /// <summary>The CPU cgroup limits of a resource request (null: none), validated as Docker does.</summary>
    internal static OciCpu? BuildCpu(Containers.ResourceSpec r)
    {
        OciCpu? cpu = null;
        if (r.NanoCpus is > 0 && (r.CpuQuota is > 0 || r.CpuPeriod is > 0))
        {
            throw EngineException.Invalid("Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
        }

        if (r.NanoCpus is > 0 || r.CpuQuota is > 0 || r.CpuPeriod is > 0 || r.CpuShares is > 0 || !string.IsNullOrEmpty(r.CpusetCpus))
        {
            long? quota = r.CpuQuota is > 0 ? r.CpuQuota : null;
            ulong? period = r.CpuPeriod is > 0 ? (ulong)r.CpuPeriod.Value : null;
            if (r.NanoCpus is > 0)
            {
                period = CpuPeriod;
                quota = (long)(r.NanoCpus.Value * (decimal)CpuPeriod / 1_000_000_000m);
                if (quota < 1000)
                {
                    throw EngineException.Invalid("Range of CPUs is from 0.01 to the number of CPUs available on the system");
                }
            }

            cpu = new OciCpu
            {
                Shares = r.CpuShares is > 0 ? (ulong)r.CpuShares.Value : null,
                Quota = quota,
                Period = period,
                Cpus = string.IsNullOrEmpty(r.CpusetCpus) ? null : r.CpusetCpus,
            };
        }

        return cpu;
    }

    private static OciDeviceRule CharDevice(long major, long? minor) =>
        new() { Allow = true, Type = "c", Major = major, Minor = minor ?? -1, Access = "rwm" };

    private static List<OciMount> BuildMounts(OciSpecInput input)
    {
        var storage = input.Spec.Storage;
        var shm = storage.ShmSizeBytes is > 0 ? storage.ShmSizeBytes.Value : DefaultShmBytes;
        var mounts = new List<OciMount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new()
            {
                Destination = "/dev", Type = "tmpfs", Source = "tmpfs",
                Options = ["nosuid", "strictatime", "mode=755", "size=65536k"],
            },
            new()
            {
                Destination = "/dev/pts", Type = "devpts", Source = "devpts",
                Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
            },
            new()
            {
                Destination = "/dev/shm", Type = "tmpfs", Source = "shm",
                Options = ["nosuid", "noexec", "nodev", "mode=1777", $"size={shm}"],
            },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
            // sysfs can only be mounted by the owner of the network namespace: a user-namespaced container on the
            // host network gets a read-only bind of the host's /sys instead (as moby does); its mapped root owns none
            // of those files.
            input.UidMappings is { Count: > 0 } && input.Spec.Network.Mode == "host"
                ? new() { Destination = "/sys", Type = "bind", Source = "/sys", Options = ["rbind", "nosuid", "noexec", "nodev", "ro"] }
                : new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", "ro"] },
            new()
            {
                Destination = CgroupMountPath, Type = "cgroup", Source = "cgroup",
                Options = ["nosuid", "noexec", "nodev", "relatime", "ro"],
            },
        };

        if (input.Spec.Security.Init && input.InitBinary is not null)
        {
            mounts.Add(new OciMount { Destination = InitPath, Type = "bind", Source = input.InitBinary, Options = ["bind", "ro", "nosuid", "nodev"] });
        }

        var etcOptions = storage.ReadOnlyRootfs ? new[] { "rbind", "rprivate", "ro" } : ["rbind", "rprivate", "rw"];
        AddEtcFile(mounts, "/etc/hostname", input.HostnameFile, etcOptions);
        AddEtcFile(mounts, "/etc/hosts", input.HostsFile, etcOptions);
        AddEtcFile(mounts, "/etc/resolv.conf", input.ResolvConfFile, etcOptions);

        var user = new List<OciMount>();
        foreach (var bind in storage.Binds)
        {
            if (!bind.Destination.StartsWith('/'))
            {
                throw EngineException.Invalid($"invalid mount config: mount path must be absolute: {bind.Destination}");
            }

            if (!Path.IsPathRooted(bind.Source))
            {
                throw EngineException.Invalid($"invalid mount config: bind source path must be absolute: {bind.Source}");
            }

            if (!File.Exists(bind.Source) && !Directory.Exists(bind.Source))
            {
                throw EngineException.Invalid($"invalid mount config: bind source path does not exist: {bind.Source}");
            }

            var propagation = string.IsNullOrEmpty(bind.Propagation) ? "rprivate" : bind.Propagation;
            if (!Propagations.Contains(propagation))
            {
                throw EngineException.Invalid($"invalid mount config: invalid propagation mode {propagation} for {bind.Destination}");
            }

            user.Add(new OciMount
            {
                Destination = bind.Destination,
                Type = "bind",
                Source = bind.Source,
                // Stricter than Docker: no setuid and no device nodes through a host directory (NNP already voids
                // setuid; nodev makes a device node planted on the host useless too).
                Options = ["rbind", bind.ReadOnly ? "ro" : "rw", propagation, "nosuid", "nodev"],
            });
        }

        foreach (var volume in input.Volumes)
        {
            if (!volume.Destination.StartsWith('/'))
            {
                throw EngineException.Invalid($"invalid mount config: mount path must be absolute: {volume.Destination}");
            }

            user.Add(new OciMount
            {
                Destination = volume.Destination,
                Type = "bind",
                Source = volume.Source,
                Options = ["rbind", volume.ReadOnly ? "ro" : "rw", "rprivate", "nosuid", "nodev"],
            });
        }

        foreach (var (destination, options) in storage.Tmpfs)
        {
            if (!destination.StartsWith('/'))
            {
                throw EngineException.Invalid($"invalid mount config: tmpfs destination must be absolute: {destination}");
            }

            var opts = new List<string> { "nosuid", "nodev", "noexec" };
            opts.AddRange(options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            if (!opts.Exists(o => o.StartsWith("mode=", StringComparison.Ordinal)))
            {
                // A fresh tmpfs is 1777 (the kernel's and Docker's default) whatever the image's directory was, so a
                // non-root user can write /tmp in a read-only container; mode=, uid=, gid=, size= given by the user stay.
                opts.Add("mode=1777");
            }
            user.Add(new OciMount { Destination = destination, Type = "tmpfs", Source = "tmpfs", Options = opts });
        }

        if (input.SecretsDir is not null)
        {
            user.Add(new OciMount
            {
                Destination = Containers.Secrets.ContainerSecrets.MountPoint, Type = "bind", Source = input.SecretsDir,
                Options = ["rbind", "ro", "rprivate", "nosuid", "nodev", "noexec"],
            });
        }

        // Parents before children (a bind at /a and a volume at /a/b), as Docker sorts them; the order is stable otherwise.
        mounts.AddRange(user.OrderBy(m => Depth(m.Destination)));

        var duplicate = mounts.GroupBy(m => m.Destination.TrimEnd('/'), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw EngineException.Invalid($"invalid mount config: duplicate mount point: {duplicate.Key}");
        }

        return mounts;
    }

    private static int Depth(string destination) => destination.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;

    private static void AddEtcFile(List<OciMount> mounts, string destination, string? source, string[] options)
    {
        if (source is not null)
        {
            mounts.Add(new OciMount { Destination = destination, Type = "bind", Source = source, Options = options });
        }
    }
}
