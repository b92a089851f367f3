using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>The real docker CLI 28 against bulwarkd.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerCliTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerVersion_ShowsServerEngine()
    {
        var r = await D.DockerAsync("version");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Server: Bulwark Engine", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("API version:", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerRunRm_EchoesAndPropagatesExitCode()
    {
        var r = await D.DockerAsync("run", "--rm", SharedDaemonFixture.Image, "sh", "-c", "echo hi; exit 4");
        Assert.Equal(4, r.ExitCode);
        Assert.Equal("hi\n", r.Stdout);
    }

    [Fact]
    public async Task DockerRun_CommandNotFound_Exits127()
    {
        var r = await D.DockerAsync("run", "--rm", SharedDaemonFixture.Image, "/nonexistent");
        Assert.Equal(127, r.ExitCode);
    }

    [Fact]
    public async Task DockerPsAll_ListsAContainerByName()
    {
        Assert.Equal(0, (await D.DockerAsync("create", "--name", "dockerps1", SharedDaemonFixture.Image, "true")).ExitCode);
        var r = await D.DockerAsync("ps", "-a");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("dockerps1", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Created", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await D.DockerAsync("rm", "dockerps1")).ExitCode);
    }

    [Fact]
    public async Task DockerRun_Privileged_PrintsThePolicyRefusal()
    {
        var r = await D.DockerAsync("run", "--rm", "--privileged", SharedDaemonFixture.Image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("allow-privileged", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerRunInteractive_PipesStdin()
    {
        var r = await ProcessRunner.RunAsync(RepoPaths.DockerCli, ["run", "--rm", "-i", SharedDaemonFixture.Image, "cat"],
            new Dictionary<string, string> { ["DOCKER_HOST"] = D.Host, ["DOCKER_CONFIG"] = Path.Combine(D.Root, "docker-config") }, "piped\n");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("piped\n", r.Stdout);
    }

    [Fact]
    public async Task DockerExec_RunsInTheContainerWithUserEnvWorkdirAndPropagatesExitCode()
    {
        Assert.Equal(0, (await D.DockerAsync("run", "-d", "--name", "execme", SharedDaemonFixture.Image, "sleep", "120")).ExitCode);
        var r = await D.DockerAsync("exec", "-u", "65534", "-w", "/tmp", "-e", "A=B", "execme", "sh", "-c", "echo $A $(pwd) $(id -u); exit 5");
        Assert.Equal(5, r.ExitCode);
        Assert.Equal("B /tmp 65534\n", r.Stdout);
        var status = await D.DockerAsync("exec", "execme", "grep", "-E", "^(Seccomp|NoNewPrivs):", "/proc/self/status");
        Assert.Contains("Seccomp:\t2", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("NoNewPrivs:\t1", status.Stdout, StringComparison.Ordinal);
        var stopped = await D.DockerAsync("rm", "-f", "execme");
        Assert.Equal(0, stopped.ExitCode);
    }

    [Fact]
    public async Task DockerSystemDf_AndPsSize_CountTheContainersWritableLayer()
    {
        var run = await D.DockerAsync("run", "--name", "dfwriter", SharedDaemonFixture.Image, "sh", "-c", "dd if=/dev/zero of=/tmp/f bs=1k count=300 2>/dev/null");
        Assert.True(run.ExitCode == 0, run.ToString());
        var df = await D.DockerAsync("system", "df", "-v");
        Assert.True(df.ExitCode == 0, df.ToString());
        Assert.Contains("dfwriter", df.Stdout, StringComparison.Ordinal);
        Assert.Contains("307kB", df.Stdout, StringComparison.Ordinal);
        var ps = await D.DockerAsync("ps", "-a", "-s", "--filter", "name=dfwriter", "--format", "{{.Size}}");
        Assert.StartsWith("307kB", ps.Stdout.Trim(), StringComparison.Ordinal);
        await D.DockerAsync("rm", "dfwriter");
    }

    [Fact]
    public async Task DockerStartAttach_OnAnExitedContainer_RunsItAgainAttached()
    {
        Assert.Equal(0, (await D.DockerAsync("run", "--name", "again1", SharedDaemonFixture.Image, "sh", "-c", "echo run; exit 2")).ExitCode is 2 ? 0 : 1);
        var r = await D.DockerAsync("start", "-a", "again1");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("run\n", r.Stdout);
        var logs = await D.DockerAsync("logs", "again1");
        Assert.Equal("run\nrun\n", logs.Stdout);
        await D.DockerAsync("rm", "again1");
    }

    [Fact]
    public async Task DockerAttach_ToARunningContainer_StreamsItsOutputAndExitCode()
    {
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(0, (await D.DockerAsync("run", "-d", "--name", "attach1", SharedDaemonFixture.Image, "sh", "-c",
            "while [ ! -e /tmp/go ]; do sleep 0.05; done; echo attached-out; exit 4")).ExitCode);
        var attach = D.DockerAsync("attach", "attach1");
        // The output is written only once the attachment exists (its `attach` event), so nothing depends on timing.
        bool attached = false;
        for (int i = 0; i < 200 && !attached && !attach.IsCompleted; i++)
        {
            string now = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
            var ev = await D.DockerAsync("events", "--since", t0.ToString(System.Globalization.CultureInfo.InvariantCulture), "--until", now,
                "--filter", "event=attach", "--filter", "container=attach1");
            attached = ev.Stdout.Contains("attach", StringComparison.Ordinal);
        }
        Assert.True(attached, "no attach event for attach1");
        Assert.Equal(0, (await D.DockerAsync("exec", "attach1", "touch", "/tmp/go")).ExitCode);
        var r = await attach;
        Assert.Equal(4, r.ExitCode);
        Assert.Equal("attached-out\n", r.Stdout);
        await D.DockerAsync("rm", "attach1");
    }

    [Fact]
    public async Task DockerSystemPrune_NetworkAndVolumeLs_AnswerWhatExists()
    {
        var networks = await D.DockerAsync("network", "ls", "--filter", "type=builtin", "--format", "{{.Name}} {{.Driver}}");
        Assert.Equal(["host host", "none null"], networks.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray());
        var create = await D.DockerAsync("network", "create", "--label", "prune-test-none", "br0");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal(0, (await D.DockerAsync("volume", "ls")).ExitCode);
        var prune = await D.DockerAsync("system", "prune", "-f", "--filter", "label=prune-test-none");
        Assert.True(prune.ExitCode == 0, prune.ToString());
        Assert.Contains("br0", prune.Stdout, StringComparison.Ordinal);
        Assert.Equal("", (await D.DockerAsync("network", "ls", "-q", "--filter", "name=br0")).Stdout.Trim());
    }

    [Fact]
    public async Task DockerHistory_ShowsTheImportedLayer()
    {
        var r = await D.DockerAsync("history", SharedDaemonFixture.Image);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Imported from", r.Stdout, StringComparison.Ordinal);
    }
}
