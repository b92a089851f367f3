using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Security;

/// <summary>The default hardening, proven from inside real containers.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DefaultProfileTests(SharedDaemonFixture fx)
{
    // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID NET_BIND_SERVICE
    private const string DefaultCapMask = "00000000000004fb";

    private DaemonInstance D => fx.Daemon;

    private static Dictionary<string, string> Status(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());

    [Fact]
    public async Task Run_DefaultProfile_SeccompFilterNoNewPrivsAndCapabilityAllowlist()
    {
        var r = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "cat", "/proc/self/status");
        Assert.True(r.ExitCode == 0, r.ToString());
        var status = Status(r.Stdout);
        Assert.Equal("2", status["Seccomp"]);
        Assert.Equal("1", status["NoNewPrivs"]);
        Assert.Equal(DefaultCapMask, status["CapEff"]);
        Assert.Equal(DefaultCapMask, status["CapBnd"]);
        Assert.Equal("0000000000000000", status["CapAmb"]);
    }

    [Fact]
    public async Task Run_CapDropAllCapAddChown_LeavesOnlyChown()
    {
        var r = await D.CliAsync("run", "--rm", "--cap-drop", "ALL", "--cap-add", "CHOWN", SharedDaemonFixture.Image, "cat", "/proc/self/status");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("0000000000000001", Status(r.Stdout)["CapEff"]);
    }

    [Fact]
    public async Task Run_RawSocketAndMknod_AreRefusedByDefault()
    {
        var r = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "sh", "-c",
            "ping -c1 -W1 127.0.0.1 >/dev/null 2>&1 && echo ping-ok || echo ping-refused; mknod /tmp/n c 1 3 2>/dev/null && echo mknod-ok || echo mknod-refused");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("ping-refused", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("mknod-refused", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SeccompDefault_BlocksUnshareAndMount()
    {
        // Creating a user namespace needs no capability: only the seccomp profile stops it.
        var r = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "sh", "-c",
            "unshare -U true 2>/dev/null && echo unshare-ok || echo unshare-refused; mount -t tmpfs none /mnt 2>/dev/null && echo mount-ok || echo mount-refused");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("unshare-refused", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("mount-refused", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CapAddSysAdmin_IsRefusedByPolicyNamingTheRule()
    {
        var r = await D.CliAsync("run", "--rm", "--cap-add", "SYS_ADMIN", SharedDaemonFixture.Image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("capabilities-allowed", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NetworkNone_HasOnlyLoopback()
    {
        var r = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "cat", "/proc/net/dev");
        Assert.True(r.ExitCode == 0, r.ToString());
        var ifaces = r.Stdout.Split('\n').Skip(2).Where(l => l.Contains(':', StringComparison.Ordinal)).Select(l => l.Split(':')[0].Trim()).ToList();
        Assert.Equal(["lo"], ifaces);
    }

    [Fact]
    public async Task Run_ProcAndSys_AreMaskedAndReadOnly()
    {
        var r = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "sh", "-c",
            "cat /proc/kcore >/dev/null 2>&1 && echo kcore-readable || echo kcore-masked; " +
            "echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo procsys-writable || echo procsys-ro; " +
            "touch /sys/kernel/x 2>/dev/null && echo sys-writable || echo sys-ro");
        Assert.Contains("kcore-masked", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("procsys-ro", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("sys-ro", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Privileged_IsRefusedNamingThePolicyRule()
    {
        var r = await D.CliAsync("run", "--rm", "--privileged", SharedDaemonFixture.Image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("allow-privileged", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ReadOnlyRootfs_WritesFailButTmpfsWorks()
    {
        var r = await D.CliAsync("run", "--rm", "--read-only", "--tmpfs", "/run", SharedDaemonFixture.Image, "sh", "-c",
            "touch /file 2>/dev/null && echo root-writable || echo root-ro; touch /run/ok && echo tmpfs-ok");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("root-ro", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("tmpfs-ok", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ReadOnlyBindMount_RefusesWrites()
    {
        string host = Path.Combine(D.Root, "bind-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "hello.txt"), "from host");
        var r = await D.CliAsync("run", "--rm", "-v", host + ":/data:ro", SharedDaemonFixture.Image, "sh", "-c",
            "cat /data/hello.txt; echo; touch /data/new 2>/dev/null && echo bind-writable || echo bind-ro; grep ' /data ' /proc/self/mountinfo");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("from host", r.Stdout, StringComparison.Ordinal);
        string mountLine = r.Stdout.Split('\n').Single(l => l.Contains(" /data ", StringComparison.Ordinal));
        Assert.Contains("nosuid", mountLine, StringComparison.Ordinal);
        Assert.Contains("nodev", mountLine, StringComparison.Ordinal);
        Assert.Contains("bind-ro", r.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(host, "new")));
    }

    [Fact]
    public async Task Run_ForkBomb_IsContainedByThePidsLimit()
    {
        var r = await D.CliAsync("run", "--rm", "--pids-limit", "32", SharedDaemonFixture.Image, "sh", "-c",
            "(i=0; while [ $i -lt 100 ]; do sleep 5 & i=$((i+1)); done) 2>/dev/null; set -- /proc/[0-9]*; echo started $#");
        string[] words = r.Stdout.Trim().Split(' ');
        Assert.True(words.Length == 2 && words[0] == "started", r.ToString());
        Assert.InRange(int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture), 1, 32);
    }

    [Fact]
    public async Task Run_DefaultPidsLimit_IsApplied()
    {
        var r = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "sh", "-c", "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1024", r.Stdout.Trim());
    }

    [Fact]
    public async Task Run_AllocationPastMemoryLimit_IsOomKilledAndReported()
    {
        // dd is the container's init: the OOM killer ends the container, and inspect must say why.
        var r = await D.CliAsync("run", "--name", "oomer", "--memory", "32m", SharedDaemonFixture.Image,
            "dd", "if=/dev/zero", "of=/dev/null", "bs=96M", "count=1");
        Assert.Equal(137, r.ExitCode);
        var inspect = await D.CliAsync("inspect", "--format", "{{.State.OOMKilled}}", "oomer");
        Assert.Equal("true", inspect.Stdout.Trim());
        await D.CliAsync("rm", "oomer");
    }
}
