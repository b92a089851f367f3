using System.Text.Json;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security;
using Bulwark.Engine.Security.Policy;
using Bulwark.Engine.Tests.Security;
using Bulwark.Engine.Volumes;

namespace Bulwark.Engine.Tests.Runtime.Oci;

public sealed class OciSpecBuilderTests : IDisposable
{
    private static readonly HostRlimits Limits = new(new Dictionary<string, ulong> { ["RLIMIT_NOFILE"] = 20000, ["RLIMIT_NPROC"] = 5000 });
    private readonly string _rootfs = Directory.CreateTempSubdirectory("bulwark-ocispec-").FullName;

    public OciSpecBuilderTests()
    {
        Directory.CreateDirectory(Path.Combine(_rootfs, "etc"));
        File.WriteAllText(Path.Combine(_rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n");
        File.WriteAllText(Path.Combine(_rootfs, "etc/group"), "root:x:0:\nwheel:x:10:root,app\napp:x:1000:\nstaff:x:50:app\n");
    }

    public void Dispose() => Directory.Delete(_rootfs, recursive: true);

    // Spec generation, not policy, is under test here: host namespaces and devices are allowed.
    private static readonly PolicyEvaluator Policy = new(new DaemonPolicy { AllowHostNamespaces = true, AllowedDevices = ["/dev/null"] });

    private OciSpec Build(ContainerSpec spec, ImageConfig? image = null, string? init = null, bool userns = false,
        IReadOnlyList<VolumeAttachment>? volumes = null)
    {
        var profile = SecurityProfileBuilder.Build(spec, SecurityProfileBuilderTests.Host, Policy, null, []);
        var map = new Bulwark.Engine.Security.UserNamespaces.IdMapping("bulwark", 100000, 100000, 65536);
        return OciSpecBuilder.Build(new OciSpecInput(spec, image ?? new ImageConfig { Cmd = ["sh"] }, profile, _rootfs, "c1", "c1host", "/bulwark/c1")
        {
            HostLimits = Limits,
            InitBinary = init,
            UidMappings = userns ? map.UidMappings : null,
            GidMappings = userns ? map.GidMappings : null,
            Volumes = volumes ?? [],
        });
    }

    [Fact]
    public void Build_Init_PrependsTiniAndMountsItReadOnly()
    {
        var spec = Build(new ContainerSpec { Image = "x", Cmd = ["sleep", "1"], Security = new SecuritySpec { Init = true } }, init: "/usr/bin/tini-static");

        Assert.Equal(["/sbin/init-bulwark", "--", "sleep", "1"], spec.Process.Args);
        var mount = spec.Mounts.Single(m => m.Destination == "/sbin/init-bulwark");
        Assert.Equal("/usr/bin/tini-static", mount.Source);
        Assert.Contains("ro", mount.Options!);
    }

    [Fact]
    public void Build_InitWithoutBinary_InvalidArgument()
    {
        var ex = Assert.Throws<EngineException>(() => Build(new ContainerSpec { Image = "x", Security = new SecuritySpec { Init = true } }));

        Assert.Contains("HostConfig.Init", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Device_NodeAndCgroupRule()
    {
        var spec = Build(new ContainerSpec { Image = "x", Security = new SecuritySpec { Devices = ["/dev/null:/dev/mynull:rw"] } });

        var dev = spec.Linux.Devices!.Single();
        Assert.Equal(("/dev/mynull", "c", 1L, 3L), (dev.Path, dev.Type, dev.Major, dev.Minor));
        Assert.Contains(spec.Linux.Resources!.Devices!, r => r.Allow && r.Major == 1 && r.Minor == 3 && r.Access == "rw");
    }

    [Fact]
    public void Build_UserNamespace_MappingsAndUserNamespace()
    {
        var spec = Build(new ContainerSpec { Image = "x" }, userns: true);

        Assert.Contains(spec.Linux.Namespaces, n => n.Type == "user");
        Assert.Equal(100000u, spec.Linux.UidMappings!.Single().HostId);
        Assert.Equal(65536u, spec.Linux.GidMappings!.Single().Size);
    }

    [Theory]
    [InlineData(null, null, new[] { "/ep" }, new[] { "icmd" }, new[] { "/ep", "icmd" })]
    [InlineData(null, new[] { "scmd" }, new[] { "/ep" }, new[] { "icmd" }, new[] { "/ep", "scmd" })]
    [InlineData(new[] { "/sep" }, null, new[] { "/ep" }, new[] { "icmd" }, new[] { "/sep" })]
    [InlineData(new[] { "/sep" }, new[] { "x" }, new[] { "/ep" }, new[] { "icmd" }, new[] { "/sep", "x" })]
    [InlineData(null, null, null, new[] { "icmd", "a" }, new[] { "icmd", "a" })]
    public void ResolveArgs_DockerSemantics(string[]? specEp, string[]? specCmd, string[]? imgEp, string[]? imgCmd, string[] expected)
    {
        Assert.Equal(expected, OciSpecBuilder.ResolveArgs(specEp, specCmd, imgEp, imgCmd));
    }

    [Fact]
    public void ResolveArgs_Nothing_NoCommandSpecified()
    {
        var ex = Assert.Throws<EngineException>(() => OciSpecBuilder.ResolveArgs([], null, null, null));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal("No command specified", ex.Message);
    }

    [Fact]
    public void ResolveEnv_SpecOverridesImageByKey()
    {
        var env = OciSpecBuilder.ResolveEnv(["PATH=/img", "A=1", "B=2"], ["A=9", "C=3", "B"], "h1", tty: true);

        Assert.Equal(["PATH=/img", "HOSTNAME=h1", "TERM=xterm", "A=9", "C=3"], env);
    }

    [Fact]
    public void ResolveEnv_NoPath_DefaultPath()
    {
        var env = OciSpecBuilder.ResolveEnv([], [], "h1", tty: false);

        Assert.Equal([OciSpecBuilder.DefaultPath, "HOSTNAME=h1"], env);
    }

    [Theory]
    [InlineData(null, 0u, 0u, new uint[] { 10 })]
    [InlineData("1000", 1000u, 1000u, new uint[] { 10, 50 })]
    [InlineData("app", 1000u, 1000u, new uint[] { 10, 50 })]
    [InlineData("app:staff", 1000u, 50u, new uint[] { 10 })]
    [InlineData("4242:4343", 4242u, 4343u, null)]
    [InlineData("nobody", 65534u, 65534u, null)]
    public void Build_User_ResolvedFromRootfs(string? user, uint uid, uint gid, uint[]? additional)
    {
        var spec = Build(new ContainerSpec { Image = "x", User = user });

        Assert.Equal(uid, spec.Process.User.Uid);
        Assert.Equal(gid, spec.Process.User.Gid);
        Assert.Equal(additional, spec.Process.User.AdditionalGids);
    }

    [Fact]
    public void Build_UnknownUserName_InvalidArgument()
    {
        var ex = Assert.Throws<EngineException>(() => Build(new ContainerSpec { Image = "x", User = "ghost" }));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("ghost", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PasswdSymlinkOutOfRootfs_StaysInside()
    {
        // The host has /etc/hostname; the rootfs does not, so a link that climbs out must find nothing.
        File.Delete(Path.Combine(_rootfs, "etc/passwd"));
        File.CreateSymbolicLink(Path.Combine(_rootfs, "etc/passwd"), "/../../../../../etc/hostname");

        var ex = Assert.Throws<EngineException>(() => Build(new ContainerSpec { Image = "x", User = "root" }));

        Assert.Contains("no matching entries in passwd file", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Build_AnyContainer_CgroupMountIsAReadOnlyPath(bool privileged)
    {
        var spec = new ContainerSpec { Image = "x", Security = new SecuritySpec { Privileged = privileged } };
        var policy = new PolicyEvaluator(new DaemonPolicy { AllowPrivileged = true });
        var profile = SecurityProfileBuilder.Build(spec, SecurityProfileBuilderTests.Host, policy, null, []);

        var built = OciSpecBuilder.Build(new OciSpecInput(spec, new ImageConfig { Cmd = ["sh"] }, profile, _rootfs, "c1", "c1host", "/bulwark/c1") { HostLimits = Limits });

        Assert.Single(built.Linux.ReadonlyPaths!, p => p == "/sys/fs/cgroup");
        Assert.Contains("ro", built.Mounts.Single(m => m.Destination == "/sys/fs/cgroup").Options!);
    }

    [Fact]
    public void Build_Defaults_LimitsNamespacesMountsSecurity()
    {
        var spec = Build(new ContainerSpec { Image = "x" });

        Assert.Equal(1024, spec.Linux.Resources!.Pids!.Limit);
        Assert.Equal("/bulwark/c1", spec.Linux.CgroupsPath);
        Assert.Equal(["pid", "ipc", "uts", "mount", "cgroup", "network"], spec.Linux.Namespaces.Select(n => n.Type));
        Assert.Contains("/proc/kcore", spec.Linux.MaskedPaths!);
        Assert.Contains("/proc/sys", spec.Linux.ReadonlyPaths!);
        Assert.True(spec.Process.NoNewPrivileges);
        Assert.Equal(CapabilityNames.Default, spec.Process.Capabilities!.Effective);
        Assert.Equal(CapabilityNames.Default, spec.Process.Capabilities.Bounding);
        Assert.Empty(spec.Process.Capabilities.Ambient);
        Assert.Empty(spec.Process.Capabilities.Inheritable);
        Assert.NotNull(spec.Linux.Seccomp);
        var nofile = Assert.Single(spec.Process.Rlimits!);
        Assert.Equal(("RLIMIT_NOFILE", 20000UL, 20000UL), (nofile.Type, nofile.Hard, nofile.Soft));
        Assert.Equal("/", spec.Process.Cwd);
        Assert.Equal("c1host", spec.Hostname);
        var shm = spec.Mounts.Single(m => m.Destination == "/dev/shm");
        Assert.Contains("size=67108864", shm.Options!);
        Assert.Contains("ro", spec.Mounts.Single(m => m.Destination == "/sys").Options!);
        var devices = spec.Linux.Resources.Devices!;
        Assert.False(devices[0].Allow);
        Assert.Contains(devices, d => d.Allow && d.Major == 136 && d.Minor == -1);
    }

    [Fact]
    public void Build_Resources_MemoryCpuPidsUlimits()
    {
        var spec = Build(new ContainerSpec
        {
            Image = "x",
            Resources = new ResourceSpec
            {
                MemoryBytes = 64L << 20, NanoCpus = 1_500_000_000, CpuShares = 512, CpusetCpus = "0", PidsLimit = -1,
                OomScoreAdj = 100, Ulimits = [new Ulimit("nofile", 100, 200), new Ulimit("nproc", 10000, 10000)],
            },
        });

        var r = spec.Linux.Resources!;
        Assert.Equal(64L << 20, r.Memory!.Limit);
        Assert.Equal(128L << 20, r.Memory.Swap);
        Assert.Equal(150000, r.Cpu!.Quota);
        Assert.Equal(100000UL, r.Cpu.Period);
        Assert.Equal(512UL, r.Cpu.Shares);
        Assert.Equal("0", r.Cpu.Cpus);
        Assert.Equal(-1, r.Pids!.Limit);
        Assert.Equal(100, spec.Process.OomScoreAdj);
        Assert.Contains(spec.Process.Rlimits!, l => l is { Type: "RLIMIT_NOFILE", Soft: 100, Hard: 200 });
        Assert.Contains(spec.Process.Rlimits!, l => l is { Type: "RLIMIT_NPROC", Soft: 5000, Hard: 5000 });
    }

    [Fact]
    public void Build_BindsTmpfsReadonlyAndHostNetwork()
    {
        var spec = Build(new ContainerSpec
        {
            Image = "x",
            Network = new NetworkSpec { Mode = "host" },
            Storage = new StorageSpec
            {
                ReadOnlyRootfs = true,
                Binds = [new BindMount(_rootfs, "/data", ReadOnly: true)],
                Tmpfs = new Dictionary<string, string> { ["/run"] = "size=10m,exec" },
            },
        });

        Assert.True(spec.Root.Readonly);
        Assert.DoesNotContain(spec.Linux.Namespaces, n => n.Type == "network");
        Assert.Equal(["rbind", "ro", "rprivate", "nosuid", "nodev"], spec.Mounts.Single(m => m.Destination == "/data").Options);
        Assert.Equal(["nosuid", "nodev", "noexec", "size=10m", "exec", "mode=1777"], spec.Mounts.Single(m => m.Destination == "/run").Options);
    }

    [Fact]
    public void Build_TmpfsWithAMode_KeepsIt_AndAddsNoDefault()
    {
        var spec = Build(new ContainerSpec
        {
            Image = "x",
            Storage = new StorageSpec { Tmpfs = new Dictionary<string, string> { ["/tmp"] = "mode=0700,uid=1000" } },
        });
        Assert.Equal(["nosuid", "nodev", "noexec", "mode=0700", "uid=1000"], spec.Mounts.Single(m => m.Destination == "/tmp").Options);
    }

    [Fact]
    public void Build_GroupAdd_NumbersAndNamesFromTheRootfs_FollowTheUsersOwnGroups()
    {
        var spec = Build(new ContainerSpec { Image = "x", User = "app", GroupAdd = ["4242", "staff", "wheel", "root"] });
        Assert.Equal(1000u, spec.Process.User.Gid);
        Assert.Equal([10u, 50u, 4242u, 0u], spec.Process.User.AdditionalGids);
    }

    [Fact]
    public void Build_GroupAdd_UnknownName_IsRefusedNamingIt()
    {
        var ex = Assert.Throws<EngineException>(() => Build(new ContainerSpec { Image = "x", User = "5:5", GroupAdd = ["nosuchgroup"] }));
        Assert.Contains("unable to find group nosuchgroup", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Volumes_AreNosuidNodevBinds_MountedAfterTheirParents()
    {
        var spec = Build(new ContainerSpec
        {
            Image = "x",
            Storage = new StorageSpec
            {
                Binds = [new BindMount(_rootfs, "/srv/app/conf", ReadOnly: true)],
                Tmpfs = new Dictionary<string, string> { ["/srv/app/conf/run"] = "" },
            },
        }, volumes:
        [
            new VolumeAttachment("cache", "/vols/cache/_data", "/srv/app", ReadOnly: false, NoCopy: false, Anonymous: false, Mode: ""),
            new VolumeAttachment("ro", "/vols/ro/_data", "/ro", ReadOnly: true, NoCopy: false, Anonymous: true, Mode: ""),
        ]);

        var app = spec.Mounts.Single(m => m.Destination == "/srv/app");
        Assert.Equal(("bind", "/vols/cache/_data"), (app.Type, app.Source));
        Assert.Equal(["rbind", "rw", "rprivate", "nosuid", "nodev"], app.Options);
        Assert.Equal(["rbind", "ro", "rprivate", "nosuid", "nodev"], spec.Mounts.Single(m => m.Destination == "/ro").Options);
        var order = spec.Mounts.Select(m => m.Destination).ToList();
        Assert.True(order.IndexOf("/srv/app") < order.IndexOf("/srv/app/conf"));
        Assert.True(order.IndexOf("/srv/app/conf") < order.IndexOf("/srv/app/conf/run"));
    }

    [Fact]
    public void Build_VolumeOnABindsDestination_IsADuplicate()
    {
        var ex = Assert.Throws<EngineException>(() => Build(new ContainerSpec
        {
            Image = "x",
            Storage = new StorageSpec { Binds = [new BindMount(_rootfs, "/data", false)] },
        }, volumes: [new VolumeAttachment("v", "/vols/v/_data", "/data", false, false, false, "")]));
        Assert.Contains("duplicate mount point: /data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MissingBindSource_InvalidArgument()
    {
        var ex = Assert.Throws<EngineException>(() => Build(new ContainerSpec
        {
            Image = "x",
            Storage = new StorageSpec { Binds = [new BindMount("/nonexistent/bulwark", "/data", false)] },
        }));

        Assert.Equal("invalid mount config: bind source path does not exist: /nonexistent/bulwark", ex.Message);
    }

    [Fact]
    public void Build_NonNamespacedSysctl_InvalidArgument()
    {
        var ex = Assert.Throws<EngineException>(() => Build(new ContainerSpec
        {
            Image = "x",
            Security = new SecuritySpec { Sysctls = new Dictionary<string, string> { ["kernel.panic"] = "1" } },
        }));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("kernel.panic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Spec_HasOciFieldNames()
    {
        var json = OciSpecBuilder.ToJson(Build(new ContainerSpec { Image = "x", Tty = true }));

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("1.0.2", root.GetProperty("ociVersion").GetString());
        Assert.True(root.GetProperty("process").GetProperty("terminal").GetBoolean());
        Assert.Equal("SCMP_ACT_ERRNO", root.GetProperty("linux").GetProperty("seccomp").GetProperty("defaultAction").GetString());
        Assert.Equal(1024, root.GetProperty("linux").GetProperty("resources").GetProperty("pids").GetProperty("limit").GetInt64());
    }
}
