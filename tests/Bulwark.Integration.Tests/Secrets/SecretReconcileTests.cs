using System.Globalization;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Secrets;

/// <summary>A container with secrets that exits while bulwarkd is down: the daemon's start-up releases its secrets tmpfs.</summary>
public sealed class SecretReconcileTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync();
        await _d.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task ContainerExitsWhileDaemonIsDown_SecretsTmpfsReleasedAtDaemonStart()
    {
        Assert.Equal(0, (await _d.CliWithInputAsync("v1", "secret", "create", "token", "-")).ExitCode);
        var run = await _d.CliAsync("run", "-d", "--secret", "token", Image, "sleep", "300");
        Assert.True(run.ExitCode == 0, run + "\n" + _d.DaemonLog);
        string id = run.Stdout.Trim();
        string mountDir = Path.Combine(_d.ExecRoot, "secrets", id);
        int pid = int.Parse((await _d.CliAsync("inspect", "-f", "{{.State.Pid}}", id)).Stdout.Trim(), CultureInfo.InvariantCulture);
        Assert.Contains(" " + mountDir + " ", await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);

        await _d.KillProcessAsync();
        using (var p = System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await p.WaitForExitAsync();
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        await _d.StartProcessAsync();

        Assert.Equal("exited", (await _d.CliAsync("inspect", "-f", "{{.State.Status}}", id)).Stdout.Trim());
        Assert.DoesNotContain(mountDir, await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.False(Directory.Exists(mountDir));
        var restart = await _d.CliAsync("start", id);
        Assert.True(restart.ExitCode == 0, restart + "\n" + _d.DaemonLog);
        Assert.Contains(" " + mountDir + " ", await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.Equal(0, (await _d.CliAsync("rm", "-f", id)).ExitCode);
        Assert.DoesNotContain(mountDir, await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);
    }
}
