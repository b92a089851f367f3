using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Cli;

/// <summary><c>bulwark exec</c> against a real bulwarkd: flags reach the process, its exit code becomes ours.</summary>
[Collection(DaemonCollection.Name)]
public sealed class ExecCommandTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private async Task<string> RunningAsync(string name)
    {
        var run = await D.CliAsync("run", "-d", "--name", name, SharedDaemonFixture.Image, "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());
        return name;
    }

    [Fact]
    public async Task Exec_UserEnvWorkdir_ReachTheProcessAndTheExitCodeIsPropagated()
    {
        var c = await RunningAsync("day-exec1");
        try
        {
            var r = await D.CliAsync("exec", "-u", "65534", "-e", "K=V", "-w", "/tmp", c, "sh", "-c", "echo $K $(pwd) $(id -u); echo err >&2; exit 5");
            Assert.Equal(5, r.ExitCode);
            Assert.Equal("V /tmp 65534\n", r.Stdout);
            Assert.Equal("err\n", r.Stderr);
        }
        finally
        {
            await D.CliAsync("rm", "-f", c);
        }
    }

    [Fact]
    public async Task Exec_Interactive_PipesStdinToTheProcess()
    {
        var c = await RunningAsync("day-exec2");
        try
        {
            var r = await D.CliWithInputAsync("one\ntwo\nthree\n", "exec", "-i", c, "wc", "-l");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("3", r.Stdout.Trim());
        }
        finally
        {
            await D.CliAsync("rm", "-f", c);
        }
    }

    [Fact]
    public async Task Exec_InteractiveTty_GetsATerminalAndItsExitCode()
    {
        var c = await RunningAsync("day-exec-tty");
        try
        {
            // script(1) gives our CLI a real terminal; -e returns the command's exit code.
            var r = await ProcessRunner.RunAsync("script", ["-qec", $"'{RepoPaths.Cli}' exec -it {c} sh -c 'tty; exit 3'", "/dev/null"],
                new Dictionary<string, string> { ["BULWARK_HOST"] = D.Host, ["TERM"] = "xterm" });
            Assert.Equal(3, r.ExitCode);
            Assert.Contains("/dev/pts/", r.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", c);
        }
    }

    [Fact]
    public async Task Exec_Detached_ReturnsAtOnceAndTheProcessRuns()
    {
        var c = await RunningAsync("day-exec3");
        try
        {
            var r = await D.CliAsync("exec", "-d", c, "sh", "-c", "echo done > /tmp/flag");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("", r.Stdout);
            CommandResult check = r;
            for (var i = 0; i < 100; i++)
            {
                check = await D.CliAsync("exec", c, "cat", "/tmp/flag");
                if (check.ExitCode == 0)
                {
                    break;
                }

                await Task.Delay(50);
            }

            Assert.Equal("done\n", check.Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", c);
        }
    }

    [Fact]
    public async Task Exec_FlagsAfterTheCommand_BelongToTheCommand()
    {
        var c = await RunningAsync("day-exec4");
        try
        {
            var r = await D.CliAsync("exec", c, "ls", "-d", "/tmp");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("/tmp\n", r.Stdout);
            var grouped = await D.CliAsync("container", "exec", "-w", "/", c, "ls", "-d", "tmp");
            Assert.True(grouped.ExitCode == 0, grouped.ToString());
            Assert.Equal("tmp\n", grouped.Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", c);
        }
    }

    [Fact]
    public async Task Exec_CommandNotFound_Exits127LikeTheDockerCli()
    {
        var c = await RunningAsync("day-exec5");
        try
        {
            var ours = await D.CliAsync("exec", c, "/no/such/binary");
            var docker = await D.DockerAsync("exec", c, "/no/such/binary");
            Assert.Equal(127, ours.ExitCode);
            Assert.Equal(docker.ExitCode, ours.ExitCode);
        }
        finally
        {
            await D.CliAsync("rm", "-f", c);
        }
    }

    [Fact]
    public async Task Exec_NoSuchContainer_NamesItAndExitsAsTheDockerCli()
    {
        var ours = await D.CliAsync("exec", "day-nosuch", "true");
        var docker = await D.DockerAsync("exec", "day-nosuch", "true");
        Assert.Equal(docker.ExitCode, ours.ExitCode);
        Assert.NotEqual(0, ours.ExitCode);
        Assert.Contains("No such container: day-nosuch", ours.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_StoppedContainer_IsRefusedWithTheReason()
    {
        Assert.Equal(0, (await D.CliAsync("create", "--name", "day-exec6", SharedDaemonFixture.Image, "true")).ExitCode);
        try
        {
            var r = await D.CliAsync("exec", "day-exec6", "true");
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("is not running", r.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-exec6");
        }
    }
}
