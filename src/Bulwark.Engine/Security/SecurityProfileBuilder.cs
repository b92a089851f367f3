using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security.Seccomp;

namespace Bulwark.Engine.Security;

/// <summary>Checks a container's security requests against policy and resolves them into a <see cref="SecurityProfile"/>.</summary>
public static class SecurityProfileBuilder
{
    public const long DefaultPidsLimit = 1024;

    public static readonly IReadOnlyList<string> DefaultMaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    public static readonly IReadOnlyList<string> DefaultReadonlyPaths =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    public static SecurityProfile Build(ContainerSpec spec, HostSecurity host)
    {
        var sec = spec.Security;
        if (sec.Privileged)
        {
            throw EngineException.Forbidden(
                "allow-privileged",
                "policy \"allow-privileged\" refuses --privileged: privileged containers are disabled on this daemon");
        }

        CheckNamespaceMode("pid", sec.PidMode);
        CheckNamespaceMode("ipc", sec.IpcMode);
        CheckNamespaceMode("uts", sec.UtsMode);
        if (!string.IsNullOrEmpty(sec.UsernsMode) && sec.UsernsMode != "host")
        {
            throw new EngineException(ErrorKind.NotImplemented, $"--userns={sec.UsernsMode} is not supported yet");
        }

        if (sec.Devices.Count > 0)
        {
            throw new EngineException(ErrorKind.NotImplemented, $"device mappings are not supported yet: {sec.Devices[0]}");
        }

        var caps = ResolveCapabilities(sec.CapAdd, sec.CapDrop, host);

        var noNewPrivileges = true;
        string? seccompOpt = null;
        string? apparmor = null;
        string? selinux = null;
        foreach (var raw in sec.SecurityOpt)
        {
            var (key, value) = SplitOption(raw);
            switch (key)
            {
                case "no-new-privileges":
                    noNewPrivileges = value switch
                    {
                        null or "true" => true,
                        "false" => false,
                        _ => throw EngineException.Invalid($"invalid --security-opt {raw}: no-new-privileges takes true or false"),
                    };
                    break;
                case "seccomp":
                    seccompOpt = value ?? throw EngineException.Invalid($"invalid --security-opt {raw}: seccomp needs a value");
                    break;
                case "apparmor":
                    if (!host.AppArmorEnabled)
                    {
                        throw EngineException.Invalid($"apparmor is not enabled on this host: cannot apply --security-opt {raw}");
                    }

                    apparmor = value;
                    break;
                case "label":
                    if (!host.SelinuxEnabled)
                    {
                        throw EngineException.Invalid($"selinux is not enabled on this host: cannot apply --security-opt {raw}");
                    }

                    selinux = value;
                    break;
                default:
                    throw EngineException.Invalid($"unknown --security-opt {raw}");
            }
        }

        OciSeccomp? seccomp;
        string seccompName;
        if (seccompOpt is "unconfined")
        {
            seccomp = null;
            seccompName = "unconfined";
        }
        else if (seccompOpt is null or "builtin" or "default")
        {
            seccomp = SeccompProfileConverter.ToOci(SeccompProfileConverter.Default, caps);
            seccompName = "bulwark-default";
        }
        else if (seccompOpt.TrimStart().StartsWith('{'))
        {
            seccomp = SeccompProfileConverter.ToOci(SeccompProfileConverter.Parse(seccompOpt), caps);
            seccompName = "custom";
        }
        else
        {
            throw EngineException.Invalid(
                $"invalid --security-opt seccomp={seccompOpt}: expected 'unconfined' or a profile's JSON content");
        }

        var masked = DefaultMaskedPaths.Concat(sec.MaskedPaths ?? []).Distinct(StringComparer.Ordinal).ToList();
        var readonlyPaths = DefaultReadonlyPaths.Concat(sec.ReadonlyPaths ?? []).Distinct(StringComparer.Ordinal).ToList();

        var pids = spec.Resources.PidsLimit;
        long? pidsLimit = pids switch
        {
            null or 0 => DefaultPidsLimit,
            < 0 => null,
            _ => pids,
        };

        return new SecurityProfile
        {
            Capabilities = caps,
            NoNewPrivileges = noNewPrivileges,
            Seccomp = seccomp,
            SeccompProfileName = seccompName,
            SeccompSyscallCount = seccomp is null ? 0 : SeccompProfileConverter.CountAllowed(seccomp),
            MaskedPaths = masked,
            ReadonlyPaths = readonlyPaths,
            PidsLimit = pidsLimit,
            ApparmorProfile = apparmor,
            SelinuxLabel = selinux,
        };
    }

    /// <summary>Docker's cap-add/cap-drop semantics, over Bulwark's default set, limited to the daemon's bounding set.</summary>
    public static IReadOnlyList<string> ResolveCapabilities(IReadOnlyList<string> capAdd, IReadOnlyList<string> capDrop, HostSecurity host)
    {
        var add = capAdd.Select(c => Validate(c, "--cap-add")).ToList();
        var drop = capDrop.Select(c => Validate(c, "--cap-drop")).ToList();
        var bounding = new HashSet<string>(host.BoundingCapabilities, StringComparer.Ordinal);

        HashSet<string> result;
        if (add.Contains("ALL"))
        {
            result = new HashSet<string>(bounding, StringComparer.Ordinal);
            result.ExceptWith(drop);
        }
        else if (drop.Contains("ALL"))
        {
            result = new HashSet<string>(add, StringComparer.Ordinal);
        }
        else
        {
            result = new HashSet<string>(CapabilityNames.Default, StringComparer.Ordinal);
            result.ExceptWith(drop);
            result.UnionWith(add);
        }

        foreach (var cap in result)
        {
            if (!bounding.Contains(cap))
            {
                if (add.Contains(cap))
                {
                    throw EngineException.Invalid(
                        $"cannot add capability {cap}: it is not in this daemon's capability bounding set");
                }
            }
        }

        result.IntersectWith(bounding);
        return result.OrderBy(CapabilityNames.BitOf).ToList();
    }

    private static string Validate(string name, string flag)
    {
        var normalized = CapabilityNames.Normalize(name);
        if (normalized != "ALL" && CapabilityNames.BitOf(normalized) < 0)
        {
            throw EngineException.Invalid($"invalid {flag} value: unknown capability: \"{name}\"");
        }

        return normalized;
    }

    private static void CheckNamespaceMode(string kind, string? mode)
    {
        if (string.IsNullOrEmpty(mode) || mode is "private" or "shareable" || (kind == "ipc" && mode == "none"))
        {
            return;
        }

        if (mode == "host")
        {
            throw EngineException.Forbidden(
                "allow-host-namespaces",
                $"policy \"allow-host-namespaces\" refuses --{kind}=host: sharing the host's {kind} namespace is disabled on this daemon");
        }

        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            throw new EngineException(ErrorKind.NotImplemented, $"--{kind}={mode} is not supported yet");
        }

        throw EngineException.Invalid($"invalid --{kind} mode: {mode}");
    }

    private static (string Key, string? Value) SplitOption(string raw)
    {
        // Docker accepts both "key=value" and the older "key:value".
        var eq = raw.IndexOf('=', StringComparison.Ordinal);
        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        var sep = eq < 0 ? colon : colon < 0 ? eq : Math.Min(eq, colon);
        return sep < 0 ? (raw.Trim(), null) : (raw[..sep].Trim(), raw[(sep + 1)..]);
    }
}
