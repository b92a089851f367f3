using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Containers;

[Collection(DaemonCollection.Name)]
public sealed class RunTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task Run_Echo_PrintsOutputAndExitsZero()
    {
        var r = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "echo", "hi");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("hi\n", r.Stdout);
    }

    [Fact]
    public async Task Run_ExitCode_BecomesTheCliExitCode()
    {
        var r = await D.CliAsync("run", "--rm", SharedDaemonFixture.Image, "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal(3, r.ExitCode);
        Assert.Equal("out\n", r.Stdout);
        Assert.Equal("err\n", r.Stderr);
    }

    [Fact]
    public async Task Run_CommandNotFound_Exits127AndRemovesTheContainer()
    {
        var r = await D.CliAsync("run", "--rm", "--name", "notfound127", SharedDaemonFixture.Image, "/no/such/binary");
        Assert.Equal(127, r.ExitCode);
        var ps = await D.CliAsync("ps", "-a", "--filter", "name=notfound127", "-q");
        Assert.Equal("", ps.Stdout.Trim());
    }

    [Fact]
    public async Task Run_UnknownImage_Exits125NamingTheImage()
    {
        var r = await D.CliAsync("run", "--rm", "nosuch/image:9", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("No such image: nosuch/image:9", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StdinPiped_ReachesTheContainer()
    {
        var r = await D.CliWithInputAsync("line one\nline two\n", "run", "--rm", "-i", SharedDaemonFixture.Image, "wc", "-l");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("2", r.Stdout.Trim());
    }

    [Fact]
    public async Task Run_EnvWorkdirUser_AreApplied()
    {
        var r = await D.CliAsync("run", "--rm", "-e", "K=V", "-w", "/tmp", "--user", "65534", SharedDaemonFixture.Image,
            "sh", "-c", "echo $K $(pwd) $(id -u)");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("V /tmp 65534", r.Stdout.Trim());
    }

    [Fact]
    public async Task Create_DuplicateName_IsAConflictAndTheDaemonKeepsServing()
    {
        var first = await D.CliAsync("create", "--name", "dup1", SharedDaemonFixture.Image, "true");
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = await D.CliAsync("create", "--name", "dup1", SharedDaemonFixture.Image, "true");
        Assert.Equal(125, second.ExitCode);
        Assert.Contains("is already in use", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await D.CliAsync("rm", "dup1")).ExitCode);
        Assert.Equal(0, (await D.CliAsync("version")).ExitCode);
    }

    [Fact]
    public async Task Detached_StopAndWait_ReportExitCode()
    {
        var run = await D.CliAsync("run", "-d", "--name", "stopme", SharedDaemonFixture.Image, "sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.1; done");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(64, run.Stdout.Trim().Length);
        var ps = await D.CliAsync("ps", "--filter", "name=stopme");
        Assert.Contains(" Up ", ps.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await D.CliAsync("stop", "-t", "5", "stopme")).ExitCode);
        var wait = await D.CliAsync("wait", "stopme");
        Assert.Equal("7", wait.Stdout.Trim());
        var inspect = await D.CliAsync("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "stopme");
        Assert.Equal("exited 7", inspect.Stdout.Trim());
        Assert.Equal(0, (await D.CliAsync("rm", "stopme")).ExitCode);
    }

    [Fact]
    public async Task Kill_SendsSignal_AndRmForceRemovesRunning()
    {
        var run = await D.CliAsync("run", "-d", "--name", "killme", SharedDaemonFixture.Image, "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());
        var rm = await D.CliAsync("rm", "killme");
        Assert.NotEqual(0, rm.ExitCode);
        Assert.Contains("cannot remove a running container", rm.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await D.CliAsync("kill", "killme")).ExitCode);
        Assert.Equal("137", (await D.CliAsync("wait", "killme")).Stdout.Trim());
        Assert.Equal(0, (await D.CliAsync("rm", "-f", "killme")).ExitCode);
        Assert.NotEqual(0, (await D.CliAsync("inspect", "killme")).ExitCode);
    }
}
