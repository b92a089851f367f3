using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary><c>--log-driver</c> with the docker CLI: none stores nothing and cannot be read back, local is read like
/// json-file, anything else is refused at create with dockerd's wording.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerLogDriverTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task LogDriverNone_StoresNothing_AndLogsAnswerThatTheDriverCannotBeRead()
    {
        string name = "logn-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var run = await D.DockerAsync("run", "--name", name, "--log-driver", "none", SharedDaemonFixture.Image, "echo", "unseen-line");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("none", (await D.DockerAsync("inspect", "-f", "{{.HostConfig.LogConfig.Type}}", name)).Stdout.Trim());

            var logs = await D.DockerAsync("logs", name);
            Assert.NotEqual(0, logs.ExitCode);
            Assert.Contains("configured logging driver does not support reading", logs.Stderr, StringComparison.Ordinal);

            string id = (await D.DockerAsync("inspect", "-f", "{{.Id}}", name)).Stdout.Trim();
            Assert.False(File.Exists(Path.Combine(D.DataRoot, "containers", id, id + "-json.log")), "a none-driver container has no log file");
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task LogDriverLocal_IsStored_AndDockerLogsReadsIt()
    {
        string name = "logl-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var run = await D.DockerAsync("run", "--name", name, "--log-driver", "local", "--log-opt", "max-size=1m",
                SharedDaemonFixture.Image, "echo", "local-line");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("local", (await D.DockerAsync("inspect", "-f", "{{.HostConfig.LogConfig.Type}}", name)).Stdout.Trim());

            var logs = await D.DockerAsync("logs", name);
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.Equal("local-line", logs.Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task UnknownLogDriver_IsRefusedAtCreate_WithDockersWording_AndNothingIsCreated()
    {
        string name = "logx-" + Guid.NewGuid().ToString("N")[..8];
        var create = await D.DockerAsync("create", "--name", name, "--log-driver", "syslog", SharedDaemonFixture.Image, "true");
        Assert.NotEqual(0, create.ExitCode);
        Assert.Contains("no log driver named 'syslog' is registered", create.Stderr, StringComparison.Ordinal);
        var ps = await D.DockerAsync("ps", "-a", "-q", "--filter", "name=" + name);
        Assert.Equal("", ps.Stdout.Trim());
    }
}
