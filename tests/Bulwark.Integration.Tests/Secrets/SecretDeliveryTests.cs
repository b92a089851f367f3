using System.Security.Cryptography;
using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Secrets;

/// <summary>Secrets delivered at /run/secrets at start, proven from inside real containers.</summary>
[Collection(DaemonCollection.Name)]
public sealed class SecretDeliveryTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    /// <summary>Everything the scenario got back from the daemon, to search for the value.</summary>
    private readonly List<string> _responses = [];

    private async Task<CommandResult> CliAsync(params string[] args)
    {
        var r = await D.CliAsync(args);
        _responses.Add(r.Stdout + r.Stderr);
        return r;
    }

    private async Task<string> ApiAsync(string path)
    {
        var r = await ProcessRunner.RunAsync("curl", ["-sS", "--unix-socket", D.SocketPath, "http://localhost" + path]);
        Assert.True(r.ExitCode == 0, r.ToString());
        _responses.Add(r.Stdout);
        return r.Stdout;
    }

    private static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static string Sha256(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    [Fact]
    public async Task RunWithSecret_ContainerReadsItReadOnly_OthersCannot_RemoveRefused_ValueNowhereInDataRootOrResponses()
    {
        string name = NewName("db-pw");
        string value = "bw-secret-" + Guid.NewGuid().ToString("N");
        var create = await D.CliWithInputAsync(value, "secret", "create", name, "-");
        Assert.True(create.ExitCode == 0, create.ToString());

        // Inside: the file's hash (never the value itself: that would put it in the container's log), owner and mode,
        // and writes refused even to the container's root.
        var run = await CliAsync("run", "--rm", "--secret", $"{name},target=pw,uid=65534,gid=65534,mode=0400", SharedDaemonFixture.Image,
            "sh", "-c", "sha256sum /run/secrets/pw; stat -c '%a %u %g' /run/secrets/pw; stat -c '%a %u' /run/secrets; " +
            "(echo x > /run/secrets/pw) 2>/dev/null && echo WRITE-OK || echo write-refused; " +
            "touch /run/secrets/new 2>/dev/null && echo CREATE-OK || echo create-refused; grep ' /run/secrets ' /proc/mounts");
        Assert.True(run.ExitCode == 0, run + "\n" + D.DaemonLog);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Sha256(value), lines[0].Split(' ')[0]);
        Assert.Equal("400 65534 65534", lines[1]);
        Assert.Equal("555 0", lines[2]);
        Assert.Equal("write-refused", lines[3]);
        Assert.Equal("create-refused", lines[4]);
        Assert.Matches(@"^tmpfs /run/secrets tmpfs ro,nosuid,nodev,noexec", lines[5]);

        // Defaults: /run/secrets/NAME, 0444, root's.
        var defaults = await CliAsync("run", "--rm", "--secret", name, SharedDaemonFixture.Image, "stat", "-c", "%a %u %g %s", "/run/secrets/" + name);
        Assert.True(defaults.ExitCode == 0, defaults.ToString());
        Assert.Equal($"444 0 0 {value.Length}", defaults.Stdout.Trim());

        // A container not given the secret has no /run/secrets at all.
        var other = await CliAsync("run", "--rm", SharedDaemonFixture.Image, "sh", "-c", "ls /run/secrets 2>&1; echo done");
        Assert.DoesNotContain(name, other.Stdout, StringComparison.Ordinal);
        Assert.Contains("No such file", other.Stdout, StringComparison.Ordinal);

        // While a container uses it: rm refused naming the container; inspect shows name and target only.
        string ctr = NewName("uses-secret");
        var detached = await CliAsync("run", "-d", "--name", ctr, "--secret", name, SharedDaemonFixture.Image, "sleep", "300");
        Assert.True(detached.ExitCode == 0, detached + "\n" + D.DaemonLog);
        string id = detached.Stdout.Trim();
        try
        {
            string mountDir = Path.Combine(D.ExecRoot, "secrets", id);
            Assert.Contains(" " + mountDir + " ", await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);
            var rm = await CliAsync("secret", "rm", name);
            Assert.NotEqual(0, rm.ExitCode);
            Assert.Contains($"secret {name} is in use by container {ctr}", rm.Stderr, StringComparison.Ordinal);
            string inspect = await ApiAsync($"/containers/{id}/json");
            Assert.Contains($"\"SecretName\":\"{name}\"", inspect, StringComparison.Ordinal);
            Assert.Contains($"\"Name\":\"/run/secrets/{name}\"", inspect, StringComparison.Ordinal);
            await ApiAsync($"/containers/{id}/logs?stdout=1&stderr=1");
            await ApiAsync("/secrets");
            await ApiAsync($"/secrets/{name}");
            await CliAsync("inspect", ctr);
            await CliAsync("secret", "inspect", name);

            await AssertValueNowhereAsync(value);
        }
        finally
        {
            await CliAsync("rm", "-f", ctr);
        }
        Assert.DoesNotContain(Path.Combine(D.ExecRoot, "secrets", id), await File.ReadAllTextAsync("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(D.ExecRoot, "secrets", id)));
        var rmAfter = await CliAsync("secret", "rm", name);
        Assert.True(rmAfter.ExitCode == 0, rmAfter.ToString());
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await ApiAsync($"/events?since={now - 600}&until={now}");
        await AssertValueNowhereAsync(value);
    }

    [Fact]
    public async Task DockerCli_SecretThroughLabel_DeliveredAtTarget()
    {
        string name = NewName("api-key");
        string value = "label-secret-" + Guid.NewGuid().ToString("N");
        Assert.Equal(0, (await D.CliWithInputAsync(value, "secret", "create", name, "-")).ExitCode);
        try
        {
            var run = await D.DockerAsync("run", "--rm", "--label", $"com.bulwark.secrets={name},target=key.txt,mode=0440", SharedDaemonFixture.Image,
                "sh", "-c", "sha256sum /run/secrets/key.txt; stat -c %a /run/secrets/key.txt");
            Assert.True(run.ExitCode == 0, run + "\n" + D.DaemonLog);
            var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(Sha256(value), lines[0].Split(' ')[0]);
            Assert.Equal("440", lines[1]);
        }
        finally
        {
            await D.CliAsync("secret", "rm", name);
        }
    }

    [Theory]
    [InlineData("no-such-secret-x", "secret no-such-secret-x not found")]
    [InlineData("{0}@7", "has no version 7 (versions: 1)")]
    [InlineData("{0},target=../etc/passwd", "must be a file name")]
    [InlineData("{0};{0}", "two secrets target the same file")]
    public async Task Create_BadSecretRequest_ClearErrorAndNoContainerLeft(string request, string expected)
    {
        string name = NewName("bad");
        Assert.Equal(0, (await D.CliWithInputAsync("v", "secret", "create", name, "-")).ExitCode);
        string ctr = NewName("refused");
        try
        {
            string label = string.Format(System.Globalization.CultureInfo.InvariantCulture, request, name);
            var r = await D.CliAsync("create", "--name", ctr, "--label", "com.bulwark.secrets=" + label, SharedDaemonFixture.Image, "true");
            Assert.Equal(125, r.ExitCode);
            Assert.Contains(expected, r.Stderr, StringComparison.Ordinal);
            var ps = await D.CliAsync("ps", "-a", "--format", "{{.Names}}");
            Assert.DoesNotContain(ctr, ps.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", ctr);
            await D.CliAsync("secret", "rm", name);
        }
    }

    [Fact]
    public async Task RunSecretFlag_BadMode_RefusedByTheCli()
    {
        var r = await D.CliAsync("run", "--rm", "--secret", "x,mode=4755", SharedDaemonFixture.Image, "true");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("not an octal permission mode", r.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Binary-safe (grep -a: every regular file under the data root, symlinks not followed, sockets skipped),
    /// the daemon's own log, every response of the scenario.</summary>
    private async Task AssertValueNowhereAsync(string value)
    {
        var grep = await ProcessRunner.RunAsync("grep", ["-r", "-a", "-F", "-l", "--", value, D.DataRoot]);
        Assert.True(grep.ExitCode == 1, "the secret's value was found (or grep failed): " + grep);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(D.DataRoot, "audit"), "*.jsonl")); // the audit log was searched too
        Assert.DoesNotContain(value, D.DaemonLog, StringComparison.Ordinal);
        Assert.All(_responses, r => Assert.DoesNotContain(value, r, StringComparison.Ordinal));
    }
}
