using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Secrets;

/// <summary>Secret versions (<c>NAME</c> the latest, <c>NAME@N</c> one version) and key rotation, proven from inside real containers.</summary>
[Collection(DaemonCollection.Name)]
public sealed class SecretVersionTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private readonly List<string> _responses = [];

    private async Task<CommandResult> CliAsync(params string[] args)
    {
        var r = await D.CliAsync(args);
        _responses.Add(r.Stdout + r.Stderr);
        return r;
    }

    private async Task<CommandResult> DockerAsync(params string[] args)
    {
        var r = await D.DockerAsync(args);
        _responses.Add(r.Stdout + r.Stderr);
        return r;
    }

    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private async Task<string> ReadInsideAsync(string secret)
    {
        // The hash, never the value: the value would land in the container's log.
        var run = await CliAsync("run", "--rm", "--secret", secret + ",target=s", SharedDaemonFixture.Image, "sha256sum", "/run/secrets/s");
        Assert.True(run.ExitCode == 0, run + "\n" + D.DaemonLog);
        return run.Stdout.Split(' ')[0];
    }

    [Fact]
    public async Task CreateTwice_AddsVersion2_ContainersReadTheVersionGiven_RemoveByVersionGuarded_ValueNowhere()
    {
        string name = NewName("api-key");
        string v1 = "bw-v1-" + Guid.NewGuid().ToString("N");
        string v2 = "bw-v2-" + Guid.NewGuid().ToString("N");
        string ctr = NewName("pinned");
        try
        {
            var first = await D.CliWithInputAsync(v1, "secret", "create", name, "-");
            Assert.True(first.ExitCode == 0, first.ToString());
            var second = await D.CliWithInputAsync(v2, "secret", "create", name, "-");
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Equal(name + "@2", second.Stdout.Trim());

            var ls = await CliAsync("secret", "ls", "--filter", "name=" + name, "--format", "{{.Name}} {{.Version}} {{.Versions}}");
            Assert.Equal($"{name} 2 1,2", ls.Stdout.Trim());
            var inspect = await CliAsync("secret", "inspect", name);
            using (var doc = JsonDocument.Parse(inspect.Stdout))
            {
                var secret = doc.RootElement[0];
                Assert.Equal(2, secret.GetProperty("Version").GetProperty("Index").GetInt64());
                Assert.Equal([1L, 2L], secret.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Index").GetInt64()));
            }

            Assert.Equal(Sha256(v2), await ReadInsideAsync(name));
            Assert.Equal(Sha256(v1), await ReadInsideAsync(name + "@1"));
            Assert.Equal(Sha256(v2), await ReadInsideAsync(name + "@2"));

            // A container that uses version 2 guards it and the whole secret, not version 1.
            var create = await CliAsync("create", "--name", ctr, "--secret", name + "@2", SharedDaemonFixture.Image, "true");
            Assert.True(create.ExitCode == 0, create.ToString());
            var rmUsed = await CliAsync("secret", "rm", name + "@2");
            Assert.NotEqual(0, rmUsed.ExitCode);
            Assert.Contains($"secret {name}@2 is in use by container {ctr}", rmUsed.Stderr, StringComparison.Ordinal);
            var rmAll = await CliAsync("secret", "rm", name);
            Assert.Contains($"secret {name} is in use by container {ctr}", rmAll.Stderr, StringComparison.Ordinal);
            var rmOld = await CliAsync("secret", "rm", name + "@1");
            Assert.True(rmOld.ExitCode == 0, rmOld.ToString());
            Assert.Equal($"{name} 2 2", (await CliAsync("secret", "ls", "--filter", "name=" + name, "--format", "{{.Name}} {{.Version}} {{.Versions}}")).Stdout.Trim());
            var gone = await CliAsync("run", "--rm", "--secret", name + "@1", SharedDaemonFixture.Image, "true");
            Assert.Equal(125, gone.ExitCode);
            Assert.Contains($"secret {name} has no version 1 (versions: 2)", gone.Stderr, StringComparison.Ordinal);

            Assert.Equal(0, (await CliAsync("rm", ctr)).ExitCode);
            Assert.Equal(0, (await CliAsync("secret", "rm", name)).ExitCode);
            Assert.DoesNotContain(name, (await CliAsync("secret", "ls")).Stdout, StringComparison.Ordinal);

            await AssertValueNowhereAsync(v1);
            await AssertValueNowhereAsync(v2);
        }
        finally
        {
            await D.CliAsync("rm", "-f", ctr);
            await D.CliAsync("secret", "rm", name);
        }
    }

    [Fact]
    public async Task DockerCli_SecretCommands_StillSwarmShaped_DuplicateCreateRefusedAsInDocker()
    {
        string name = NewName("docker-sec");
        string file = Path.Combine(D.Root, name);
        await File.WriteAllTextAsync(file, "docker-cli-value-" + Guid.NewGuid().ToString("N"));
        try
        {
            var create = await DockerAsync("secret", "create", name, file);
            Assert.True(create.ExitCode == 0, create.ToString());
            var again = await DockerAsync("secret", "create", name, file);
            Assert.NotEqual(0, again.ExitCode);
            Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
            Assert.Contains(name, (await DockerAsync("secret", "ls", "--format", "{{.Name}}")).Stdout, StringComparison.Ordinal);
            var inspect = await DockerAsync("secret", "inspect", "--format", "{{.Spec.Name}} {{.Version.Index}}", name);
            Assert.Equal($"{name} 1", inspect.Stdout.Trim());
            Assert.Equal(0, (await DockerAsync("secret", "rm", name)).ExitCode);
        }
        finally
        {
            await D.CliAsync("secret", "rm", name);
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RotateKey_ReencryptsEveryVersion_ContainersStillReadEachVersion()
    {
        string name = NewName("rotated");
        string v1 = "bw-rot1-" + Guid.NewGuid().ToString("N");
        string v2 = "bw-rot2-" + Guid.NewGuid().ToString("N");
        try
        {
            Assert.Equal(0, (await D.CliWithInputAsync(v1, "secret", "create", name, "-")).ExitCode);
            Assert.Equal(0, (await D.CliWithInputAsync(v2, "secret", "create", name, "-")).ExitCode);
            string dir = Path.Combine(D.DataRoot, "secrets");
            byte[] key = await File.ReadAllBytesAsync(Path.Combine(dir, "key"));
            var before = Directory.GetFiles(dir, "*.json").ToDictionary(f => f, File.ReadAllBytes);

            var rotate = await CliAsync("secret", "rotate-key");

            Assert.True(rotate.ExitCode == 0, rotate.ToString());
            Assert.Matches(@"^Re-encrypted \d+ secret versions? under a new key", rotate.Stdout);
            Assert.NotEqual(key, await File.ReadAllBytesAsync(Path.Combine(dir, "key")));
            Assert.All(before.Where(kv => File.Exists(kv.Key)), kv => Assert.NotEqual(kv.Value, File.ReadAllBytes(kv.Key)));
            Assert.Equal(Sha256(v1), await ReadInsideAsync(name + "@1"));
            Assert.Equal(Sha256(v2), await ReadInsideAsync(name));
            await AssertValueNowhereAsync(v1);
            await AssertValueNowhereAsync(v2);
        }
        finally
        {
            await D.CliAsync("secret", "rm", name);
        }
    }

    private async Task AssertValueNowhereAsync(string value)
    {
        var grep = await ProcessRunner.RunAsync("grep", ["-r", "-a", "-F", "-l", "--", value, D.DataRoot]);
        Assert.True(grep.ExitCode == 1, "the secret's value was found (or grep failed): " + grep);
        Assert.DoesNotContain(value, D.DaemonLog, StringComparison.Ordinal);
        Assert.All(_responses, r => Assert.DoesNotContain(value, r, StringComparison.Ordinal));
    }
}
