using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Security;
using Bulwark.Engine.Security.Policy;

namespace Bulwark.Engine.Tests.Security;

public sealed class SecurityProfileBuilderTests
{
    // This host's bounding set: everything except CAP_SYS_RESOURCE; no LSM active.
    internal static readonly HostSecurity Host = new(CapabilityNames.FromMask(0x1fffeffffffUL), new HashSet<string>());

    private static readonly PolicyEvaluator Permissive = new(new DaemonPolicy
    {
        AllowPrivileged = true, AllowHostNamespaces = true, SeccompUnconfinedAllowed = true, CapabilitiesAllowed = CapabilityNames.All,
    });

    private static SecurityProfile BuildPermissive(ContainerSpec spec) => SecurityProfileBuilder.Build(spec, Host, Permissive, null, []);

    private static ContainerSpec Spec(SecuritySpec security, long? pids = null) =>
        new() { Image = "busybox", Security = security, Resources = new ResourceSpec { PidsLimit = pids } };

    [Fact]
    public void Build_Defaults_GivesTheEightCapabilitiesAndDefaultSeccomp()
    {
        var profile = SecurityProfileBuilder.Build(Spec(new SecuritySpec()), Host);

        Assert.Equal(
            ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE"],
            profile.Capabilities);
        Assert.True(profile.NoNewPrivileges);
        Assert.Equal("bulwark-default", profile.SeccompProfileName);
        Assert.NotNull(profile.Seccomp);
        Assert.True(profile.SeccompSyscallCount > 200);
        Assert.Equal(1024, profile.PidsLimit);
        Assert.Contains("/proc/kcore", profile.MaskedPaths);
        Assert.Contains("/sys/devices/virtual/powercap", profile.MaskedPaths);
        Assert.Contains("/proc/sysrq-trigger", profile.ReadonlyPaths);
    }

    [Fact]
    public void Build_CapDropAllCapAddChown_OnlyChown()
    {
        var profile = SecurityProfileBuilder.Build(Spec(new SecuritySpec { CapDrop = ["ALL"], CapAdd = ["chown"] }), Host);

        Assert.Equal(["CAP_CHOWN"], profile.Capabilities);
    }

    [Fact]
    public void Build_CapAddAllDropNetAdmin_BoundingSetWithoutNetAdmin()
    {
        var profile = BuildPermissive(Spec(new SecuritySpec { CapAdd = ["ALL"], CapDrop = ["CAP_NET_ADMIN"] }));

        Assert.DoesNotContain("CAP_NET_ADMIN", profile.Capabilities);
        Assert.DoesNotContain("CAP_SYS_RESOURCE", profile.Capabilities);
        Assert.Contains("CAP_SYS_ADMIN", profile.Capabilities);
    }

    [Fact]
    public void Build_CapDropKillAddNetRaw_Applied()
    {
        var profile = SecurityProfileBuilder.Build(Spec(new SecuritySpec { CapDrop = ["kill"], CapAdd = ["Net_Raw"] }), Host);

        Assert.DoesNotContain("CAP_KILL", profile.Capabilities);
        Assert.Contains("CAP_NET_RAW", profile.Capabilities);
    }

    [Fact]
    public void Build_UnknownCapability_InvalidArgumentNamingIt()
    {
        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(Spec(new SecuritySpec { CapAdd = ["BOGUS"] }), Host));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("BOGUS", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CapabilityOutsideBoundingSet_InvalidArgument()
    {
        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(Spec(new SecuritySpec { CapAdd = ["SYS_RESOURCE"] }), Host));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("CAP_SYS_RESOURCE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Privileged_ForbiddenNamingTheRule()
    {
        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(Spec(new SecuritySpec { Privileged = true }), Host));

        Assert.Equal(ErrorKind.Forbidden, ex.Kind);
        Assert.Equal("allow-privileged", ex.Rule);
        Assert.Contains("allow-privileged", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("permission denied", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("apparmor=docker-default", "apparmor")]
    [InlineData("label=type:svirt_apache_t", "selinux")]
    public void Build_LsmOptionWithoutLsm_InvalidArgument(string option, string lsm)
    {
        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(Spec(new SecuritySpec { SecurityOpt = [option] }), Host));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains($"{lsm} is not active on this host", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_AppArmorOnHostWithAppArmor_Applied()
    {
        var host = Host with { ActiveLsms = new HashSet<string> { "apparmor" } };

        var profile = SecurityProfileBuilder.Build(Spec(new SecuritySpec { SecurityOpt = ["apparmor=myprofile"] }), host);

        Assert.Equal("myprofile", profile.ApparmorProfile);
    }

    [Theory]
    [InlineData("no-new-privileges", true)]
    [InlineData("no-new-privileges=true", true)]
    [InlineData("no-new-privileges:true", true)]
    [InlineData("no-new-privileges=false", false)]
    public void Build_NoNewPrivilegesOption_Parsed(string option, bool expected)
    {
        var profile = SecurityProfileBuilder.Build(Spec(new SecuritySpec { SecurityOpt = [option] }), Host);

        Assert.Equal(expected, profile.NoNewPrivileges);
    }

    [Fact]
    public void Build_UnknownSecurityOpt_InvalidArgumentNamingIt()
    {
        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(Spec(new SecuritySpec { SecurityOpt = ["frobnicate=1"] }), Host));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("frobnicate=1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SeccompUnconfined_NoFilter()
    {
        var profile = BuildPermissive(Spec(new SecuritySpec { SecurityOpt = ["seccomp=unconfined"] }));

        Assert.Null(profile.Seccomp);
        Assert.Equal("unconfined", profile.SeccompProfileName);
    }

    [Fact]
    public void Build_SeccompInlineJson_Custom()
    {
        const string json = """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_ERRNO"}]}""";

        var profile = SecurityProfileBuilder.Build(Spec(new SecuritySpec { SecurityOpt = ["seccomp=" + json] }), Host);

        Assert.Equal("custom", profile.SeccompProfileName);
        Assert.Equal("SCMP_ACT_ALLOW", profile.Seccomp!.DefaultAction);
        Assert.Equal(["chmod"], profile.Seccomp.Syscalls.Single().Names);
    }

    [Theory]
    [InlineData("pid")]
    [InlineData("ipc")]
    [InlineData("uts")]
    public void Build_HostNamespace_ForbiddenByRule(string kind)
    {
        var security = kind switch
        {
            "pid" => new SecuritySpec { PidMode = "host" },
            "ipc" => new SecuritySpec { IpcMode = "host" },
            _ => new SecuritySpec { UtsMode = "host" },
        };

        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(Spec(security), Host));

        Assert.Equal(ErrorKind.Forbidden, ex.Kind);
        Assert.Equal("allow-host-namespaces", ex.Rule);
    }

    [Theory]
    [InlineData(null, 1024L)]
    [InlineData(-1L, null)]
    [InlineData(50L, 50L)]
    public void Build_PidsLimit_DefaultAndUnlimited(long? requested, long? expected)
    {
        var profile = SecurityProfileBuilder.Build(Spec(new SecuritySpec(), requested), Host);

        Assert.Equal(expected, profile.PidsLimit);
    }

    [Fact]
    public void ReadCurrent_ThisProcess_HasBoundingSetAndNoLsm()
    {
        var host = HostSecurity.ReadCurrent();

        Assert.Contains("CAP_CHOWN", host.BoundingCapabilities);
        Assert.False(host.AppArmorEnabled);
        Assert.False(host.SelinuxEnabled);
    }

    [Theory]
    [InlineData("SYS_ADMIN", "CAP_SYS_ADMIN")]
    [InlineData("sys_module", "CAP_SYS_MODULE")]
    [InlineData("ALL", "CAP_SYS_ADMIN")]
    public void Build_DangerousCapAdd_ForbiddenByCapabilitiesAllowed(string cap, string named)
    {
        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(Spec(new SecuritySpec { CapAdd = [cap] }), Host));

        Assert.Equal(ErrorKind.Forbidden, ex.Kind);
        Assert.Equal("capabilities-allowed", ex.Rule);
        Assert.Contains("HostConfig.CapAdd", ex.Message, StringComparison.Ordinal);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SeccompUnconfinedByDefault_ForbiddenNamingTheRule()
    {
        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(Spec(new SecuritySpec { SecurityOpt = ["seccomp=unconfined"] }), Host));

        Assert.Equal("seccomp-unconfined-allowed", ex.Rule);
        Assert.Contains("HostConfig.SecurityOpt \"seccomp=unconfined\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NetworkHostAndUsernsHost_ForbiddenByDefaultAllowedByPolicy()
    {
        var net = new ContainerSpec { Image = "busybox", Network = new NetworkSpec { Mode = "host" } };
        var userns = Spec(new SecuritySpec { UsernsMode = "host" });

        Assert.Equal("allow-host-namespaces", Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(net, Host)).Rule);
        Assert.Equal("allow-host-namespaces", Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(userns, Host)).Rule);
        Assert.True(BuildPermissive(userns).HostUserNamespace);
    }

    [Fact]
    public void Build_Device_ForbiddenUnlessAllowed()
    {
        var spec = Spec(new SecuritySpec { Devices = ["/dev/fuse:/dev/fuse:rwm"] });
        var allowing = new PolicyEvaluator(new DaemonPolicy { AllowedDevices = ["/dev/fuse"] });

        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(spec, Host));
        var profile = SecurityProfileBuilder.Build(spec, Host, allowing, null, []);

        Assert.Equal("allowed-devices", ex.Rule);
        Assert.Equal("/dev/fuse", profile.Devices.Single().HostPath);
    }

    [Fact]
    public void Build_PrivilegedAllowedByPolicy_AllCapabilitiesNoSeccompNoMasks()
    {
        var profile = BuildPermissive(Spec(new SecuritySpec { Privileged = true }));

        Assert.Equal(Host.BoundingCapabilities.Count, profile.Capabilities.Count);
        Assert.Null(profile.Seccomp);
        Assert.Empty(profile.MaskedPaths);
    }

    [Theory]
    [InlineData("/etc", "/etc")]
    [InlineData("/etc/hosts", "/etc")]
    [InlineData("/", "/")]
    [InlineData("/var/run/docker.sock", "/var/run/docker.sock")]
    [InlineData("/proc/1/root", "/proc")]
    public void Build_ForbiddenBindSource_ForbiddenNamingBindAndPath(string source, string protectedPath)
    {
        var spec = new ContainerSpec { Image = "busybox", Storage = new StorageSpec { Binds = [new BindMount(source, "/x", false)] } };

        var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(spec, Host));

        Assert.Equal("forbidden-bind-sources", ex.Rule);
        Assert.Contains($"HostConfig.Binds \"{source}:/x\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains(protectedPath, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no such file", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("permission denied", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Build_BindOfAncestorOfDataRoot_Forbidden()
    {
        string root = Path.Combine(Path.GetTempPath(), "bwpol-" + Guid.NewGuid().ToString("N")[..8]);
        string data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        string link = Path.Combine(Path.GetTempPath(), "bwpol-link-" + Guid.NewGuid().ToString("N")[..8]);
        File.CreateSymbolicLink(link, root);
        try
        {
            var spec = new ContainerSpec { Image = "busybox", Storage = new StorageSpec { Binds = [new BindMount(link, "/x", true)] } };

            var ex = Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(spec, Host, new PolicyEvaluator(new DaemonPolicy()), null, [data]));

            Assert.Equal("forbidden-bind-sources", ex.Rule);
            Assert.Contains("resolves to " + root, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(link);
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Build_OrdinaryBind_Allowed()
    {
        string dir = Directory.CreateTempSubdirectory("bwpol-").FullName;
        try
        {
            var spec = new ContainerSpec { Image = "busybox", Storage = new StorageSpec { Binds = [new BindMount(dir, "/x", false)] } };

            _ = SecurityProfileBuilder.Build(spec, Host, new PolicyEvaluator(new DaemonPolicy()), null, ["/var/lib/bulwark"]);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("root", null)]
    [InlineData("0:0", null)]
    [InlineData(null, "0")]
    public void Build_RequireNonRootUser_RefusesRoot(string? user, string? imageUser)
    {
        var spec = new ContainerSpec { Image = "busybox", User = user };

        var ex = Assert.Throws<EngineException>(() =>
            SecurityProfileBuilder.Build(spec, Host, new PolicyEvaluator(new DaemonPolicy { RequireNonRootUser = true }), imageUser, []));

        Assert.Equal("require-non-root-user", ex.Rule);
    }

    [Fact]
    public void Build_RequireReadOnlyAndMemory_Refused()
    {
        var policy = new PolicyEvaluator(new DaemonPolicy { RequireReadOnlyRootfs = true, RequireMemoryLimit = true });
        var ro = new ContainerSpec { Image = "b", Storage = new StorageSpec { ReadOnlyRootfs = true } };

        Assert.Equal("require-read-only-rootfs",
            Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(new ContainerSpec { Image = "b" }, Host, policy, null, [])).Rule);
        Assert.Equal("require-memory-limit", Assert.Throws<EngineException>(() => SecurityProfileBuilder.Build(ro, Host, policy, null, [])).Rule);
    }
}
