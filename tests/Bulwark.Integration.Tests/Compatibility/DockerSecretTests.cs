using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

[Collection(DaemonCollection.Name)]
public sealed class DockerSecretTests(SharedDaemonFixture fx)
{
    [Fact]
    public async Task SecretCreateLsInspectRm_WorkWithoutSwarmAndNeverShowTheValue()
    {
        var env = new Dictionary<string, string> { ["DOCKER_HOST"] = fx.Daemon.Host, ["DOCKER_CONFIG"] = Path.Combine(fx.Daemon.Root, "docker-config") };
        var create = await ProcessRunner.RunAsync(RepoPaths.DockerCli, ["secret", "create", "-l", "team=a", "s3", "-"], env, "very-secret-value");
        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Equal(25, create.Stdout.Trim().Length);
        var ls = await fx.Daemon.DockerAsync("secret", "ls");
        Assert.Contains("s3", ls.Stdout, StringComparison.Ordinal);
        var inspect = await fx.Daemon.DockerAsync("secret", "inspect", "s3");
        Assert.Contains("\"team\": \"a\"", inspect.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", inspect.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Data\"", inspect.Stdout, StringComparison.Ordinal);
        var again = await ProcessRunner.RunAsync(RepoPaths.DockerCli, ["secret", "create", "s3", "-"], env, "x");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        foreach (string f in Directory.EnumerateFiles(Path.Combine(fx.Daemon.DataRoot, "secrets")))
        {
            Assert.DoesNotContain("very-secret-value", await File.ReadAllTextAsync(f), StringComparison.Ordinal);
        }
        Assert.Equal(0, (await fx.Daemon.DockerAsync("secret", "rm", "s3")).ExitCode);
        Assert.DoesNotContain("s3", (await fx.Daemon.DockerAsync("secret", "ls")).Stdout, StringComparison.Ordinal);
    }
}
