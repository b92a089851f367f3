using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security;
using Bulwark.Engine.Security.Seccomp;

namespace Bulwark.Engine.Tests.Security.Seccomp;

public sealed class SeccompProfileConverterTests
{
    private static readonly string[] MustDeny =
    [
        "unshare", "mount", "umount2", "keyctl", "add_key", "request_key", "bpf", "userfaultfd", "perf_event_open", "kexec_load",
        "kexec_file_load", "open_by_handle_at", "init_module", "finit_module", "delete_module", "pivot_root", "setns", "ptrace",
        "acct", "swapon", "swapoff", "reboot", "process_vm_readv", "io_uring_setup",
    ];

    private static OciSeccomp DefaultFor(IReadOnlyCollection<string> caps) =>
        SeccompProfileConverter.ToOci(SeccompProfileConverter.Default, caps, "amd64");

    private static IEnumerable<string> Allowed(OciSeccomp s) =>
        s.Syscalls.Where(r => r.Action == "SCMP_ACT_ALLOW").SelectMany(r => r.Names);

    [Fact]
    public void Default_DefaultCapabilities_DeniesDangerousSyscalls()
    {
        var seccomp = DefaultFor(CapabilityNames.Default);

        Assert.Equal("SCMP_ACT_ERRNO", seccomp.DefaultAction);
        Assert.Equal(1u, seccomp.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64"], seccomp.Architectures);
        var allowed = Allowed(seccomp).ToHashSet();
        foreach (var name in MustDeny)
        {
            Assert.DoesNotContain(name, allowed);
        }

        foreach (var name in new[] { "read", "write", "openat", "execve", "exit_group", "wait4", "futex", "rt_sigreturn", "getrandom" })
        {
            Assert.Contains(name, allowed);
        }
    }

    [Fact]
    public void Default_On64BitHost_OnlyTheNativeAbiAndNoThirtyTwoBitNames()
    {
        var amd64 = DefaultFor(CapabilityNames.Default);
        var arm64 = SeccompProfileConverter.ToOci(SeccompProfileConverter.Default, CapabilityNames.Default, "arm64");

        Assert.Equal(["SCMP_ARCH_X86_64"], amd64.Architectures);
        Assert.Equal(["SCMP_ARCH_AARCH64"], arm64.Architectures);
        foreach (var s in new[] { amd64, arm64 })
        {
            var allowed = Allowed(s).ToHashSet();
            foreach (var name in new[] { "_llseek", "chown32", "socketcall", "mmap2", "clock_gettime64", "fcntl64" })
            {
                Assert.DoesNotContain(name, allowed);
            }
        }
    }

    [Fact]
    public void Default_On32BitHost_KeepsTheThirtyTwoBitNames()
    {
        var i386 = SeccompProfileConverter.ToOci(SeccompProfileConverter.Default, CapabilityNames.Default, "386");

        var allowed = Allowed(i386).ToHashSet();
        foreach (var name in new[] { "_llseek", "chown32", "socketcall", "mmap2", "clock_gettime64", "fcntl64", "read", "openat" })
        {
            Assert.Contains(name, allowed);
        }
    }

    [Fact]
    public void Default_SocketOnlyForAllowlistedAddressFamilies()
    {
        var seccomp = DefaultFor(CapabilityNames.Default);

        var rules = seccomp.Syscalls.Where(r => r.Names.Contains("socket")).ToList();
        Assert.All(rules, r => Assert.Equal("SCMP_ACT_ALLOW", r.Action));
        Assert.All(rules, r => Assert.Equal(("SCMP_CMP_EQ", 0u), (Assert.Single(r.Args!).Op, r.Args![0].Index)));
        var families = rules.Select(r => r.Args![0].Value).Order().ToList();
        Assert.Equal([1UL, 2UL, 10UL, 16UL, 17UL], families); // AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET
        Assert.DoesNotContain(40UL, families); // AF_VSOCK
        Assert.DoesNotContain(38UL, families); // AF_ALG
    }

    [Fact]
    public void Default_DefaultCapabilities_CloneOnlyWithoutNamespaceFlags()
    {
        var seccomp = DefaultFor(CapabilityNames.Default);

        var clone = Assert.Single(seccomp.Syscalls, r => r.Names.Contains("clone"));
        Assert.Equal("SCMP_ACT_ALLOW", clone.Action);
        var arg = Assert.Single(clone.Args!);
        Assert.Equal(0u, arg.Index);
        Assert.Equal(0x7E020000UL, arg.Value);
        Assert.Equal(0UL, arg.ValueTwo);
        Assert.Equal("SCMP_CMP_MASKED_EQ", arg.Op);
        var clone3 = Assert.Single(seccomp.Syscalls, r => r.Names.Contains("clone3"));
        Assert.Equal("SCMP_ACT_ERRNO", clone3.Action);
        Assert.Equal(38u, clone3.ErrnoRet);
    }

    [Fact]
    public void Default_PersonalityRestrictedToKnownValues()
    {
        var seccomp = DefaultFor(CapabilityNames.Default);

        var rules = seccomp.Syscalls.Where(r => r.Names.Contains("personality")).ToList();
        Assert.All(rules, r => Assert.Equal("SCMP_CMP_EQ", Assert.Single(r.Args!).Op));
        Assert.Equal([0UL, 8UL, 0x20000UL, 0x20008UL, 0xffffffffUL], rules.Select(r => r.Args![0].Value).Order());
    }

    [Fact]
    public void Default_WithSysPtrace_AllowsPtrace()
    {
        var seccomp = DefaultFor([.. CapabilityNames.Default, "CAP_SYS_PTRACE"]);

        Assert.Contains("ptrace", Allowed(seccomp));
    }

    [Fact]
    public void Parse_DockerFormatWithIncludesExcludes_FiltersByCapsAndArch()
    {
        const string json = """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "defaultErrnoRet": 1,
              "archMap": [
                { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"] },
                { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] }
              ],
              "syscalls": [
                { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW" },
                { "name": "getpid", "action": "SCMP_ACT_ALLOW" },
                { "names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMIN"] } },
                { "names": ["chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "excludes": { "caps": ["CAP_FOWNER"] } },
                { "names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["amd64"] } },
                { "names": ["sync"], "action": "SCMP_ACT_ALLOW", "excludes": { "arches": ["amd64"] } },
                { "names": ["socket"], "action": "SCMP_ACT_ALLOW",
                  "args": [ { "index": 0, "value": 40, "valueTwo": 0, "op": "SCMP_CMP_NE" } ] }
              ]
            }
            """;
        var profile = SeccompProfileConverter.Parse(json);

        var withoutAdmin = SeccompProfileConverter.ToOci(profile, ["CAP_CHOWN"], "amd64");
        var withAdmin = SeccompProfileConverter.ToOci(profile, ["SYS_ADMIN", "CAP_FOWNER"], "amd64");
        var arm = SeccompProfileConverter.ToOci(profile, ["CAP_CHOWN"], "arm64");

        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], withoutAdmin.Architectures);
        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], arm.Architectures);
        var names = withoutAdmin.Syscalls.SelectMany(s => s.Names).ToList();
        Assert.Contains("getpid", names);
        Assert.DoesNotContain("mount", names);
        Assert.Contains("chmod", names);
        Assert.Contains("arch_prctl", names);
        Assert.DoesNotContain("sync", names);
        Assert.Equal(13u, withoutAdmin.Syscalls.Single(s => s.Names.Contains("chmod")).ErrnoRet);
        Assert.Equal("SCMP_CMP_NE", withoutAdmin.Syscalls.Single(s => s.Names.Contains("socket")).Args![0].Op);
        var adminNames = withAdmin.Syscalls.SelectMany(s => s.Names).ToList();
        Assert.Contains("mount", adminNames);
        Assert.DoesNotContain("chmod", adminNames);
        Assert.DoesNotContain("arch_prctl", arm.Syscalls.SelectMany(s => s.Names));
        Assert.Contains("sync", arm.Syscalls.SelectMany(s => s.Names));
    }

    [Fact]
    public void Parse_Malformed_InvalidArgument()
    {
        var ex = Assert.Throws<EngineException>(() => SeccompProfileConverter.Parse("{\"syscalls\": ["));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.StartsWith("invalid seccomp profile", ex.Message, StringComparison.Ordinal);
    }
}
