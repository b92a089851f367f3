using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Cli;

/// <summary>restart, pause/unpause, rename, top, diff, export, kill -s, start -a, attach with our CLI.</summary>
[Collection(DaemonCollection.Name)]
public sealed class ContainerStateCommandTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private async Task<string> StatusAsync(string name) => (await D.CliAsync("inspect", "-f", "{{.State.Status}}", name)).Stdout.Trim();

    [Fact]
    public async Task PauseUnpause_FreezeAndThawTheContainer()
    {
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-pause", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            var pause = await D.CliAsync("pause", "day-pause");
            Assert.True(pause.ExitCode == 0, pause.ToString());
            Assert.Equal("day-pause\n", pause.Stdout);
            Assert.Equal("paused", await StatusAsync("day-pause"));
            Assert.Equal(0, (await D.CliAsync("unpause", "day-pause")).ExitCode);
            Assert.Equal("running", await StatusAsync("day-pause"));
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-pause");
        }
    }

    [Fact]
    public async Task Restart_StartsANewProcess()
    {
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-restart", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            var before = (await D.CliAsync("inspect", "-f", "{{.State.Pid}}", "day-restart")).Stdout.Trim();
            var r = await D.CliAsync("restart", "-t", "1", "day-restart");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("running", await StatusAsync("day-restart"));
            Assert.NotEqual(before, (await D.CliAsync("inspect", "-f", "{{.State.Pid}}", "day-restart")).Stdout.Trim());
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-restart");
        }
    }

    [Fact]
    public async Task Rename_TheNewNameFindsTheContainer()
    {
        Assert.Equal(0, (await D.CliAsync("create", "--name", "day-old", SharedDaemonFixture.Image, "true")).ExitCode);
        try
        {
            var r = await D.CliAsync("rename", "day-old", "day-new");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("/day-new", (await D.CliAsync("inspect", "-f", "{{.Name}}", "day-new")).Stdout.Trim());
            Assert.NotEqual(0, (await D.CliAsync("inspect", "day-old")).ExitCode);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-new");
            await D.CliAsync("rm", "-f", "day-old");
        }
    }

    [Fact]
    public async Task Top_ListsTheContainersProcess()
    {
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-top", SharedDaemonFixture.Image, "sleep", "301")).ExitCode);
        try
        {
            var r = await D.CliAsync("top", "day-top");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("PID", r.Stdout.Split('\n')[0], StringComparison.Ordinal);
            Assert.Contains("sleep 301", r.Stdout, StringComparison.Ordinal);
            var custom = await D.CliAsync("top", "day-top", "-e", "-o", "pid", "-o", "comm");
            Assert.True(custom.ExitCode == 0, custom.ToString());
            Assert.Matches(@"\A\s*PID\s+COMMAND\n\s*\d+\s+sleep\n\z", custom.Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-top");
        }
    }

    [Fact]
    public async Task DiffAndExport_SeeTheFileTheContainerWrote()
    {
        var run = await D.CliAsync("run", "--name", "day-diff", SharedDaemonFixture.Image, "sh", "-c", "echo x > /root/new.txt");
        Assert.True(run.ExitCode == 0, run.ToString());
        var tar = Path.Combine(D.Root, "day-export.tar");
        try
        {
            var diff = await D.CliAsync("diff", "day-diff");
            Assert.True(diff.ExitCode == 0, diff.ToString());
            Assert.Contains("A /root/new.txt", diff.Stdout, StringComparison.Ordinal);
            var export = await D.CliAsync("export", "-o", tar, "day-diff");
            Assert.True(export.ExitCode == 0, export.ToString());
            var list = await ProcessRunner.RunAsync("tar", ["-tf", tar]);
            Assert.Contains("root/new.txt", list.Stdout, StringComparison.Ordinal);
            Assert.Contains("bin/busybox", list.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-diff");
            File.Delete(tar);
        }
    }

    [Fact]
    public async Task KillWithSignal_TheContainerSeesThatSignal()
    {
        var run = await D.CliAsync("run", "-d", "--name", "day-kill", SharedDaemonFixture.Image, "sh", "-c",
            "trap 'exit 42' USR1; while :; do sleep 0.1; done");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            var kill = await D.CliAsync("kill", "-s", "USR1", "day-kill");
            Assert.True(kill.ExitCode == 0, kill.ToString());
            Assert.Equal("42", (await D.CliAsync("wait", "day-kill")).Stdout.Trim());
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-kill");
        }
    }

    [Fact]
    public async Task StartAttach_StreamsOutputAndReturnsTheExitCode()
    {
        Assert.Equal(0, (await D.CliAsync("create", "--name", "day-starta", SharedDaemonFixture.Image, "sh", "-c", "echo started; exit 3")).ExitCode);
        try
        {
            var r = await D.CliAsync("start", "-a", "day-starta");
            Assert.Equal(3, r.ExitCode);
            Assert.Equal("started\n", r.Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-starta");
        }
    }

    [Fact]
    public async Task StartInteractive_PipesStdin()
    {
        Assert.Equal(0, (await D.CliAsync("create", "-i", "--name", "day-starti", SharedDaemonFixture.Image, "cat")).ExitCode);
        try
        {
            var r = await D.CliWithInputAsync("through start -ai\n", "start", "-a", "-i", "day-starti");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("through start -ai\n", r.Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-starti");
        }
    }

    [Fact]
    public async Task Attach_SeesLaterOutputAndTheExitCode()
    {
        var run = await D.CliAsync("run", "-d", "--name", "day-attach", SharedDaemonFixture.Image, "sh", "-c",
            "while [ ! -f /tmp/go ]; do echo tick; sleep 0.1; done; echo after-attach; exit 6");
        Assert.True(run.ExitCode == 0, run.ToString());
        var psi = new System.Diagnostics.ProcessStartInfo(RepoPaths.Cli, ["attach", "--no-stdin", "day-attach"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.Environment["BULWARK_HOST"] = D.Host;
        using var attach = System.Diagnostics.Process.Start(psi)!;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // A "tick" on our stdout proves the attach is live before the container is released.
            Assert.Equal("tick", await attach.StandardOutput.ReadLineAsync(guard.Token));
            Assert.Equal(0, (await D.CliAsync("exec", "day-attach", "touch", "/tmp/go")).ExitCode);
            var rest = await attach.StandardOutput.ReadToEndAsync(guard.Token);
            await attach.WaitForExitAsync(guard.Token);
            Assert.Contains("after-attach", rest, StringComparison.Ordinal);
            Assert.Equal(6, attach.ExitCode);
        }
        finally
        {
            if (!attach.HasExited)
            {
                attach.Kill();
            }

            await D.CliAsync("rm", "-f", "day-attach");
        }
    }

    [Fact]
    public async Task Attach_DetachKeys_LeaveTheContainerRunning()
    {
        var run = await D.CliAsync("run", "-d", "-i", "-t", "--name", "day-detach", SharedDaemonFixture.Image, "sh");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            // ctrl-x (0x18) is the detach sequence we choose; the daemon watches for it on a TTY container.
            var r = await D.CliWithInputAsync("\u0018", "attach", "--detach-keys", "ctrl-x", "day-detach");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("running", (await D.CliAsync("inspect", "-f", "{{.State.Status}}", "day-detach")).Stdout.Trim());
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-detach");
        }
    }

    [Fact]
    public async Task Attach_StoppedContainer_IsRefusedWithTheFix()
    {
        Assert.Equal(0, (await D.CliAsync("create", "--name", "day-attach-stopped", SharedDaemonFixture.Image, "true")).ExitCode);
        try
        {
            var r = await D.CliAsync("attach", "day-attach-stopped");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("start it first", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-attach-stopped");
        }
    }
}
