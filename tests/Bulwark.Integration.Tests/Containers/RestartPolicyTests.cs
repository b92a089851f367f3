using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Containers;

[Collection(DaemonCollection.Name)]
public sealed class RestartPolicyTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private async Task<string> InspectAsync(string name, string format) => (await D.CliAsync("inspect", "--format", format, name)).Stdout.Trim();

    private async Task<string> PollAsync(string name, string format, string expected)
    {
        string last = "";
        for (int i = 0; i < 150; i++)
        {
            last = await InspectAsync(name, format);
            if (last == expected)
            {
                return last;
            }
            await Task.Delay(100);
        }
        return last;
    }

    [Fact]
    public async Task OnFailureWithRetries_RestartsThatManyTimesThenStaysExited()
    {
        var run = await D.CliAsync("run", "-d", "--name", "onfail", "--restart", "on-failure:2", SharedDaemonFixture.Image, "sh", "-c", "exit 3");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("2 exited 3", await PollAsync("onfail", "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}", "2 exited 3"));
        Assert.Equal("on-failure 2", await InspectAsync("onfail", "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}"));
        await D.CliAsync("rm", "-f", "onfail");
    }

    [Fact]
    public async Task Always_RestartsAfterASuccessfulExit_ButStopKeepsItDown()
    {
        var run = await D.CliAsync("run", "-d", "--name", "always1", "--restart", "always", SharedDaemonFixture.Image, "sh", "-c", "sleep 0.2");
        Assert.True(run.ExitCode == 0, run.ToString());
        string count = "0";
        for (int i = 0; i < 100 && count is "0" or "1"; i++)
        {
            await Task.Delay(100);
            count = await InspectAsync("always1", "{{.RestartCount}}");
        }
        Assert.True(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) >= 2, "expected at least two restarts, saw " + count);
        Assert.Equal(0, (await D.CliAsync("stop", "-t", "1", "always1")).ExitCode);
        string before = await InspectAsync("always1", "{{.RestartCount}}");
        await Task.Delay(1000);
        Assert.Equal("exited", await InspectAsync("always1", "{{.State.Status}}"));
        Assert.Equal(before, await InspectAsync("always1", "{{.RestartCount}}"));
        await D.CliAsync("rm", "-f", "always1");
    }

    [Fact]
    public async Task RestartWithRm_IsRefusedAsConflicting()
    {
        var r = await D.DockerAsync("run", "--rm", "--restart", "always", SharedDaemonFixture.Image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--restart", r.Stderr, StringComparison.Ordinal);
    }
}
