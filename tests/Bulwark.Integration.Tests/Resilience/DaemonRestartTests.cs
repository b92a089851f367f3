using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Resilience;

/// <summary>Containers belong to their monitors, not to the daemon process.</summary>
public sealed class DaemonRestartTests : IAsyncLifetime
{
    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync();
        await _d.ImportBusyboxAsync("test/busybox:1");
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task DetachedContainer_SurvivesDaemonRestart_AndItsExitCodeIsReportedAfter()
    {
        var run = await _d.CliAsync("run", "-d", "--name", "survivor", "test/busybox:1", "sh", "-c",
            "echo before; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo after; exit 42");
        Assert.True(run.ExitCode == 0, run.ToString());
        string pidBefore = (await _d.CliAsync("inspect", "--format", "{{.State.Pid}}", "survivor")).Stdout.Trim();

        await _d.StopProcessAsync();
        Assert.True(Directory.Exists("/proc/" + pidBefore), "the container died with the daemon");
        await _d.StartProcessAsync();

        var state = await _d.CliAsync("inspect", "--format", "{{.State.Status}} {{.State.Pid}}", "survivor");
        Assert.Equal("running " + pidBefore, state.Stdout.Trim());
        // It ends when told to (an exec into the re-attached container), not after a fixed delay.
        var go = await _d.DockerAsync("exec", "survivor", "touch", "/tmp/go");
        Assert.True(go.ExitCode == 0, go.ToString());
        var wait = await _d.CliAsync("wait", "survivor");
        Assert.Equal("42", wait.Stdout.Trim());
        var logs = await _d.CliAsync("logs", "survivor");
        Assert.Equal("before\nafter\n", logs.Stdout);
    }

    [Fact]
    public async Task HealthStatus_IsKeptAcrossADaemonRestart()
    {
        var run = await _d.DockerAsync("run", "-d", "--name", "healthkeeper", "--health-cmd", "true", "--health-interval", "200ms",
            "test/busybox:1", "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());
        string status = "";
        for (int i = 0; i < 100 && status != "healthy"; i++)
        {
            await Task.Delay(100);
            status = (await _d.DockerAsync("inspect", "--format", "{{.State.Health.Status}}", "healthkeeper")).Stdout.Trim();
        }
        Assert.Equal("healthy", status);
        await _d.StopProcessAsync();
        await _d.StartProcessAsync();
        // Right after the restart, before any new probe could run (the first comes one interval later).
        var after = await _d.DockerAsync("inspect", "--format", "{{.State.Health.Status}} {{len .State.Health.Log}}", "healthkeeper");
        Assert.StartsWith("healthy ", after.Stdout.Trim(), StringComparison.Ordinal);
        Assert.NotEqual("healthy 0", after.Stdout.Trim());
        await _d.DockerAsync("rm", "-f", "healthkeeper");
    }

    [Fact]
    public async Task ContainerExitingWhileDaemonIsDown_ReportsItsExitCodeAfterRestart()
    {
        var run = await _d.CliAsync("run", "-d", "--name", "quick", "test/busybox:1", "sh", "-c", "sleep 1; exit 5");
        Assert.True(run.ExitCode == 0, run.ToString());
        string id = run.Stdout.Trim();
        await _d.StopProcessAsync();
        // The monitor records the exit while no daemon runs (waited for, not assumed from a fixed delay).
        string exitFile = Path.Combine(_d.ExecRoot, "c", id, "exit");
        for (int i = 0; i < 300 && !File.Exists(exitFile); i++)
        {
            await Task.Delay(100);
        }
        Assert.True(File.Exists(exitFile), "the monitor wrote no exit record while the daemon was down");
        await _d.StartProcessAsync();
        var state = await _d.CliAsync("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "quick");
        Assert.Equal("exited 5", state.Stdout.Trim());
    }

    [Fact]
    public async Task CreatedContainer_WhoseMountVanished_LikeAfterAReboot_StillStartsWithItsImage()
    {
        var create = await _d.CliAsync("create", "--name", "afterreboot", "test/busybox:1", "cat", "/etc/passwd");
        Assert.True(create.ExitCode == 0, create.ToString());
        string rootfs = Path.Combine(_d.DataRoot, "containers", create.Stdout.Trim(), "rootfs");
        await _d.StopProcessAsync();
        Assert.Equal(0, (await ProcessRunner.RunAsync("umount", [rootfs])).ExitCode);
        await _d.StartProcessAsync();
        var start = await _d.CliAsync("start", "-a", "afterreboot");
        Assert.True(start.ExitCode == 0, start.ToString() + _d.DaemonLog);
        Assert.Contains("root:x:0:0", start.Stdout, StringComparison.Ordinal);
    }
}
