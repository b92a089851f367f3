using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Containers;

[Collection(DaemonCollection.Name)]
public sealed class HealthcheckTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private async Task<string> PollHealthAsync(string name, string expected)
    {
        string last = "";
        for (int i = 0; i < 100; i++)
        {
            last = (await D.DockerAsync("inspect", "--format", "{{.State.Health.Status}}", name)).Stdout.Trim();
            if (last == expected)
            {
                break;
            }
            await Task.Delay(100);
        }
        return last;
    }

    [Fact]
    public async Task PassingHealthCmd_BecomesHealthyAndPsShowsIt()
    {
        var run = await D.DockerAsync("run", "-d", "--name", "healthy1", "--health-cmd", "test -d /tmp", "--health-interval", "200ms",
            SharedDaemonFixture.Image, "sleep", "60");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("healthy", await PollHealthAsync("healthy1", "healthy"));
        var ps = await D.DockerAsync("ps", "--filter", "name=healthy1");
        Assert.Contains("(healthy)", ps.Stdout, StringComparison.Ordinal);
        await D.DockerAsync("rm", "-f", "healthy1");
    }

    [Fact]
    public async Task FailingHealthCmd_BecomesUnhealthyAfterTheRetries()
    {
        var run = await D.DockerAsync("run", "-d", "--name", "unhealthy1", "--health-cmd", "echo probe-output; exit 1", "--health-interval", "200ms",
            "--health-retries", "2", SharedDaemonFixture.Image, "sleep", "60");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("unhealthy", await PollHealthAsync("unhealthy1", "unhealthy"));
        var log = await D.DockerAsync("inspect", "--format", "{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}", "unhealthy1");
        Assert.Equal("1 probe-output", log.Stdout.Trim());
        await D.DockerAsync("rm", "-f", "unhealthy1");
    }
}
