using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Access;

/// <summary>
/// A real bulwarkd with an "authorization" section, driven by the docker CLI as root and as other uids (setpriv),
/// identified by SO_PEERCRED; then its audit log, read and verified with our CLI, and tampered with.
/// </summary>
public sealed class AuthorizationAndAuditTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private const int ViewerUid = 41001;
    private const int UnboundUid = 41002;
    private DaemonInstance _daemon = null!;

    public async Task InitializeAsync()
    {
        _daemon = await DaemonInstance.StartAsync($$"""
            { "authorization": { "bindings": { "uid:{{ViewerUid}}": "viewer", "cert:nobody": "operator" } } }
            """);
        await _daemon.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private static int BulwarkGid() =>
        File.ReadLines("/etc/group").Select(l => l.Split(':')).Where(f => f[0] == "bulwark").Select(f => int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault(-1);

    /// <summary>The docker CLI as another uid, in the socket's group (so only authorization stands in the way).</summary>
    private Task<CommandResult> DockerAsUidAsync(int uid, params string[] args)
    {
        int gid = BulwarkGid();
        Assert.True(gid >= 0, "the bulwark group is missing: run ./install.sh");
        string[] argv = ["--reuid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--regid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--groups", gid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", RepoPaths.DockerCli, .. args];
        return ProcessRunner.RunAsync("setpriv", argv, new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = _daemon.Host,
            ["DOCKER_CONFIG"] = Path.Combine(_daemon.Root, "docker-config-" + uid),
            ["HOME"] = "/nonexistent",
        });
    }

    [Fact]
    public async Task Viewer_CanPsButNotRun_UnboundUidIsRefused_RootIsAdmin_AndDenialsAreAudited()
    {
        var ps = await DockerAsUidAsync(ViewerUid, "ps", "-a");
        Assert.True(ps.ExitCode == 0, ps.ToString());

        var run = await DockerAsUidAsync(ViewerUid, "run", "--rm", Image, "true");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"access denied: uid:{ViewerUid} has role viewer, which does not allow container.create", run.Stderr, StringComparison.Ordinal);

        var unbound = await DockerAsUidAsync(UnboundUid, "ps");
        Assert.NotEqual(0, unbound.ExitCode);
        Assert.Contains($"uid:{UnboundUid} has no role", unbound.Stderr, StringComparison.Ordinal);

        var asRoot = await _daemon.DockerAsync("run", "--rm", Image, "true");
        Assert.True(asRoot.ExitCode == 0, asRoot.ToString());

        var denied = await _daemon.CliAsync("audit", "ls", "--action", "container.create", "--user", "uid:" + ViewerUid, "--format", "json");
        Assert.True(denied.ExitCode == 0, denied.ToString());
        Assert.Contains("\"outcome\":\"denied\"", denied.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"status\":403", denied.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerCliScenario_LeavesExpectedEntries_NoEnvOrSecretValues_AndAnEditedLogFailsVerify()
    {
        var run = await _daemon.DockerAsync("run", "--name", "audited", "-e", "PASSWORD=env-value-never-logged", Image, "true");
        Assert.True(run.ExitCode == 0, run.ToString());
        var rm = await _daemon.DockerAsync("rm", "audited");
        Assert.True(rm.ExitCode == 0, rm.ToString());
        var env = new Dictionary<string, string> { ["DOCKER_HOST"] = _daemon.Host, ["DOCKER_CONFIG"] = Path.Combine(_daemon.Root, "docker-config") };
        var secret = await ProcessRunner.RunAsync(RepoPaths.DockerCli, ["secret", "create", "audited-secret", "-"], env, "secret-value-never-logged");
        Assert.True(secret.ExitCode == 0, secret.ToString());

        var ls = await _daemon.CliAsync("audit", "ls", "--user", "root", "--format", "json");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        foreach (string action in new[] { "container.create", "container.start", "container.attach", "container.wait", "container.remove", "secret.create" })
        {
            Assert.Contains($"\"action\":\"{action}\"", ls.Stdout, StringComparison.Ordinal);
        }
        Assert.Contains("\"target\":\"audited\"", ls.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"identity\":\"uid:0 (root)\"", ls.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"transport\":\"unix\"", ls.Stdout, StringComparison.Ordinal);

        string auditDir = Path.Combine(_daemon.DataRoot, "audit");
        string all = string.Concat(Directory.GetFiles(auditDir).Select(File.ReadAllText));
        Assert.DoesNotContain("env-value-never-logged", all, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value-never-logged", all, StringComparison.Ordinal);

        var ok = await _daemon.CliAsync("audit", "verify");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("audit log OK", ok.Stdout, StringComparison.Ordinal);

        string file = Directory.GetFiles(auditDir).Order(StringComparer.Ordinal).First();
        var lines = File.ReadAllLines(file);
        int edited = Array.FindIndex(lines, l => l.Contains("\"target\":\"audited\"", StringComparison.Ordinal));
        lines[edited] = lines[edited].Replace("\"target\":\"audited\"", "\"target\":\"innocent\"", StringComparison.Ordinal);
        File.WriteAllLines(file, lines);

        var bad = await _daemon.CliAsync("audit", "verify");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains($"{Path.GetFileName(file)} line {edited + 1}", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("altered", bad.Stderr, StringComparison.Ordinal);
    }
}
