using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Security;

/// <summary>docker run security and resource options, checked from inside real containers.</summary>
[Collection(DaemonCollection.Name)]
public sealed class SecurityOptionsTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private async Task<string> RunAsync(params string[] args)
    {
        var r = await D.CliAsync(["run", "--rm", .. args]);
        Assert.True(r.ExitCode == 0, r + "\n" + D.DaemonLog);
        return r.Stdout;
    }

    [Fact]
    public async Task Run_CustomSeccompProfileInline_BlocksTheListedSyscall()
    {
        const string profile = """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}""";
        // The CLI reads the file and sends its content inline, like the docker CLI.
        string file = Path.Combine(D.Root, "seccomp-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        await File.WriteAllTextAsync(file, profile);
        string outText = await RunAsync("--security-opt", "seccomp=" + file, SharedDaemonFixture.Image, "sh", "-c",
            "mkdir /tmp/x 2>/dev/null && echo mkdir-ok || echo mkdir-blocked; grep Seccomp: /proc/self/status");

        Assert.Contains("mkdir-blocked", outText, StringComparison.Ordinal);
        Assert.Contains("2", outText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoNewPrivilegesFalse_ClearsTheFlag()
    {
        string outText = await RunAsync("--security-opt", "no-new-privileges=false", SharedDaemonFixture.Image, "grep", "NoNewPrivs", "/proc/self/status");

        Assert.Contains("0", outText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apparmor=docker-default", "AppArmor")]
    [InlineData("label=type:svirt_apache_t", "SELinux")]
    public async Task Run_LsmOptionWithoutLsm_ClearError(string option, string lsm)
    {
        var r = await D.CliAsync("run", "--rm", "--security-opt", option, SharedDaemonFixture.Image, "true");

        Assert.Equal(125, r.ExitCode);
        Assert.Contains($"{lsm} is not active on this host", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UlimitShmOomScoreAndSysctl_Applied()
    {
        string outText = await RunAsync("--ulimit", "nofile=512:1024", "--shm-size", "8m", "--oom-score-adj", "300",
            "--sysctl", "net.ipv4.ip_unprivileged_port_start=1000", SharedDaemonFixture.Image, "sh", "-c",
            "ulimit -n; ulimit -Hn; df -k /dev/shm | tail -1; cat /proc/self/oom_score_adj; cat /proc/sys/net/ipv4/ip_unprivileged_port_start");

        var lines = outText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("512", lines[0].Trim());
        Assert.Equal("1024", lines[1].Trim());
        Assert.Contains("8192", lines[2], StringComparison.Ordinal);
        Assert.Equal("300", lines[3].Trim());
        Assert.Equal("1000", lines[4].Trim());
    }

    [Theory]
    [InlineData("kernel.core_pattern=|/x")]
    [InlineData("vm.overcommit_memory=1")]
    public async Task Run_NonNamespacedSysctl_Refused(string sysctl)
    {
        var r = await D.CliAsync("run", "--rm", "--sysctl", sysctl, SharedDaemonFixture.Image, "true");

        Assert.Equal(125, r.ExitCode);
        Assert.Contains("not namespaced", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CpuAndMemoryLimits_InTheCgroup()
    {
        string outText = await RunAsync("--cpus", "0.5", "--cpu-shares", "512", "--cpuset-cpus", "0", "--memory", "64m", "--memory-swap", "128m",
            SharedDaemonFixture.Image, "sh", "-c",
            "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus " +
            "/sys/fs/cgroup/memory/memory.limit_in_bytes; cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes 2>/dev/null || echo no-swap-accounting");

        var lines = outText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        Assert.Equal("50000", lines[0]);
        Assert.Equal("512", lines[1]);
        Assert.Equal("0", lines[2]);
        Assert.Equal((64L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), lines[3]);
        Assert.True(lines[4] is "134217728" or "no-swap-accounting", lines[4]);
    }

    [Fact]
    public async Task Run_Init_TiniIsPid1AndReapsTheCommand()
    {
        string outText = await RunAsync("--init", SharedDaemonFixture.Image, "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; echo $$");

        var lines = outText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("/sbin/init-bulwark -- sh -c", lines[0], StringComparison.Ordinal);
        Assert.NotEqual("1", lines[1].Trim());
    }

    [Fact]
    public async Task Inspect_EffectiveProfile_ShowsUserMapLsmAndLimits()
    {
        var create = await D.CliAsync("create", "--memory", "64m", SharedDaemonFixture.Image, "true");
        Assert.True(create.ExitCode == 0, create.ToString());
        string id = create.Stdout.Trim();
        try
        {
            var r = await D.CliAsync("inspect", id);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("bulwark-default", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("CAP_CHOWN", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("/proc/kcore", r.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"0 \d{6,} 65536", r.Stdout);
            Assert.Contains("no LSM", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("67108864", r.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", id);
        }
    }
}
