using System.Runtime.InteropServices;
using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Oci;

namespace Bulwark.Engine.Security.Seccomp;

/// <summary>Parses Docker-format seccomp profiles and turns them into the OCI <c>linux.seccomp</c> object.</summary>
public static class SeccompProfileConverter
{
    private static readonly Lazy<DockerSeccompProfile> DefaultProfile = new(LoadDefault);

    /// <summary>Bulwark's own default profile (embedded resource default-seccomp.json).</summary>
    public static DockerSeccompProfile Default => DefaultProfile.Value;

    /// <summary>Parses a profile; a malformed document is an InvalidArgument naming the cause.</summary>
    public static DockerSeccompProfile Parse(string json)
    {
        DockerSeccompProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize(json, SeccompJsonContext.Default.DockerSeccompProfile);
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid($"invalid seccomp profile: {ex.Message}");
        }

        if (profile is null || string.IsNullOrEmpty(profile.DefaultAction))
        {
            throw EngineException.Invalid("invalid seccomp profile: defaultAction is missing");
        }

        if (profile.Architectures is { Count: > 0 } && profile.ArchMap is { Count: > 0 })
        {
            throw EngineException.Invalid("invalid seccomp profile: use either 'architectures' or 'archMap', not both");
        }

        foreach (var rule in profile.Syscalls)
        {
            if (rule.Name is not null && rule.Names is { Count: > 0 })
            {
                throw EngineException.Invalid("invalid seccomp profile: a rule has both 'name' and 'names'");
            }
        }

        return profile;
    }

    /// <summary>
    /// Converts to OCI form for a container with the given capabilities ("CAP_X") on the given Go architecture
    /// ("amd64"; null = this machine). Rules whose includes/excludes do not match are left out.
    /// </summary>
    public static OciSeccomp ToOci(DockerSeccompProfile profile, IReadOnlyCollection<string> capabilities, string? goArch = null)
    {
        goArch ??= NativeGoArch();
        var caps = new HashSet<string>(capabilities.Select(CapabilityNames.Normalize), StringComparer.Ordinal);

        var arches = new List<string>();
        if (profile.ArchMap is { Count: > 0 })
        {
            var native = SeccompArchFor(goArch);
            foreach (var map in profile.ArchMap.Where(m => m.Architecture == native))
            {
                arches.Add(map.Architecture);
                arches.AddRange(map.SubArchitectures);
            }
        }
        else if (profile.Architectures is not null)
        {
            arches.AddRange(profile.Architectures);
        }

        var rules = new List<OciSyscall>();
        foreach (var rule in profile.Syscalls)
        {
            if (!Applies(rule, caps, goArch))
            {
                continue;
            }

            IReadOnlyList<string> names = rule.Names is { Count: > 0 } ? rule.Names : rule.Name is null ? [] : [rule.Name];
            if (names.Count == 0)
            {
                continue;
            }

            rules.Add(new OciSyscall
            {
                Names = names,
                Action = rule.Action,
                ErrnoRet = rule.ErrnoRet,
                Args = rule.Args is { Count: > 0 }
                    ? rule.Args.Select(a => new OciSeccompArg { Index = a.Index, Value = a.Value, ValueTwo = a.ValueTwo, Op = a.Op }).ToList()
                    : null,
            });
        }

        return new OciSeccomp
        {
            DefaultAction = profile.DefaultAction,
            DefaultErrnoRet = profile.DefaultErrnoRet,
            Architectures = arches.Count > 0 ? arches.Distinct(StringComparer.Ordinal).ToList() : null,
            Flags = profile.Flags is { Count: > 0 } ? profile.Flags : null,
            Syscalls = rules,
        };
    }

    /// <summary>Syscall names the filter allows unconditionally or conditionally (any rule whose action is SCMP_ACT_ALLOW).</summary>
    public static int CountAllowed(OciSeccomp seccomp) =>
        seccomp.Syscalls.Where(s => s.Action == "SCMP_ACT_ALLOW").SelectMany(s => s.Names).Distinct(StringComparer.Ordinal).Count();

    private static bool Applies(DockerSeccompSyscall rule, HashSet<string> caps, string goArch)
    {
        if (rule.Includes is { } inc)
        {
            if (inc.Caps is { Count: > 0 } && !inc.Caps.All(c => caps.Contains(CapabilityNames.Normalize(c))))
            {
                return false;
            }

            if (inc.Arches is { Count: > 0 } && !inc.Arches.Contains(goArch, StringComparer.Ordinal))
            {
                return false;
            }
        }

        if (rule.Excludes is { } exc)
        {
            if (exc.Caps is { Count: > 0 } && exc.Caps.Any(c => caps.Contains(CapabilityNames.Normalize(c))))
            {
                return false;
            }

            if (exc.Arches is { Count: > 0 } && exc.Arches.Contains(goArch, StringComparer.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static string NativeGoArch() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.X86 => "386",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.RiscV64 => "riscv64",
        _ => "amd64",
    };

    private static string SeccompArchFor(string goArch) => goArch switch
    {
        "amd64" => "SCMP_ARCH_X86_64",
        "386" => "SCMP_ARCH_X86",
        "arm64" => "SCMP_ARCH_AARCH64",
        "arm" => "SCMP_ARCH_ARM",
        "s390x" => "SCMP_ARCH_S390X",
        "ppc64le" => "SCMP_ARCH_PPC64LE",
        "riscv64" => "SCMP_ARCH_RISCV64",
        _ => "SCMP_ARCH_" + goArch.ToUpperInvariant(),
    };

    private static DockerSeccompProfile LoadDefault()
    {
        using var stream = typeof(SeccompProfileConverter).Assembly.GetManifestResourceStream("default-seccomp.json")
            ?? throw new InvalidOperationException("embedded resource default-seccomp.json is missing from Bulwark.Engine");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }
}
