using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security.Policy;
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

    /// <summary>Builds with the default (safe) policy and no protected daemon paths.</summary>
    public static SecurityProfile Build(ContainerSpec spec, HostSecurity host) => Build(spec, host, new PolicyEvaluator(new DaemonPolicy()), null, []);

    /// <summary>Validates the request, runs the policy rules, and resolves the profile.</summary>
    public static SecurityProfile Build(
        ContainerSpec spec, HostSecurity host, PolicyEvaluator policy, string? imageUser, IReadOnlyList<string> protectedPaths)
    {
        var sec = spec.Security;
        CheckNamespaceMode("pid", sec.PidMode);
        CheckNamespaceMode("ipc", sec.IpcMode);
        CheckNamespaceMode("uts", sec.UtsMode);
        if (!string.IsNullOrEmpty(sec.UsernsMode) && sec.UsernsMode != "host")
        {
            throw EngineException.Invalid($"invalid --userns mode {sec.UsernsMode}: Bulwark supports the default (remapped) or host");
        }

        var devices = sec.Devices.Select(DeviceRequest.Parse).ToList();
        var deviceCgroupRules = sec.DeviceCgroupRules.Select(DeviceCgroupRule.Parse).ToList();
        var caps = sec.Privileged
            ? host.BoundingCapabilities.OrderBy(CapabilityNames.BitOf).ToList()
            : ResolveCapabilities(sec.CapAdd, sec.CapDrop, host);
        policy.Evaluate(new PolicyRequest(spec, imageUser, caps, host, protectedPaths));

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
                        throw EngineException.Invalid(
                            $"HostConfig.SecurityOpt \"{raw}\": AppArmor is not active on this host (active LSMs: {Lsms(host)}), so the profile cannot be applied");
                    }

                    apparmor = value;
                    break;
                case "label":
                    if (!host.SelinuxEnabled)
                    {
                        throw EngineException.Invalid(
                            $"HostConfig.SecurityOpt \"{raw}\": SELinux is not active on this host (active LSMs: {Lsms(host)}), so the label cannot be applied");
                    }

                    selinux = value;
                    break;
                default:
                    throw EngineException.Invalid($"unknown --security-opt {raw}");
            }
        }

        if (sec.Privileged && seccompOpt is null)
        {
            seccompOpt = "unconfined";
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

        var masked = (sec.Privileged ? [] : DefaultMaskedPaths).Concat(sec.MaskedPaths ?? []).Distinct(StringComparer.Ordinal).ToList();
        var readonlyPaths = (sec.Privileged ? [] : DefaultReadonlyPaths).Concat(sec.ReadonlyPaths ?? []).Distinct(StringComparer.Ordinal).ToList();

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
            HostUserNamespace = sec.UsernsMode == "host",
            Privileged = sec.Privileged,
            Devices = devices,
            DeviceCgroupRules = deviceCgroupRules,
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
            // Policy decides (allow-host-namespaces).
            return;
        }

        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            throw new EngineException(ErrorKind.NotImplemented, $"--{kind}={mode} is not supported yet");
        }

        throw EngineException.Invalid($"invalid --{kind} mode: {mode}");
    }

    private static string Lsms(HostSecurity host) => host.ActiveLsms.Count == 0 ? "none" : string.Join(",", host.ActiveLsms.Order(StringComparer.Ordinal));

    private static (string Key, string? Value) SplitOption(string raw)
    {
        // Docker accepts both "key=value" and the older "key:value".
        var eq = raw.IndexOf('=', StringComparison.Ordinal);
        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        var sep = eq < 0 ? colon : colon < 0 ? eq : Math.Min(eq, colon);
        return sep < 0 ? (raw.Trim(), null) : (raw[..sep].Trim(), raw[(sep + 1)..]);
    }
}
