using System.Globalization;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Access;

/// <summary>
/// A custom role with a label selector, driven by the docker CLI as a non-root uid (SO_PEERCRED): it may run
/// containers labelled team=a, not unlabelled ones, may not remove another team's container or mount its volume;
/// denials are audited.
/// </summary>
public sealed class LabelScopedRoleTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private const int TeamAUid = 41008;
    private DaemonInstance _daemon = null!;

    public async Task InitializeAsync()
    {
        // team-a: every single-container action on containers labelled team=a; the bulwark group (the caller's
        // primary group here) adds viewer for ping, lists and inspection.
        _daemon = await DaemonInstance.StartAsync($$"""
            { "authorization": {
                "bindings": { "uid:{{TeamAUid}}": "team-a", "group:bulwark": "viewer" },
                "roles": { "team-a": { "allow": ["container.*"], "labels": { "team": "a" } } } } }
            """);
        await _daemon.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private Task<CommandResult> DockerAsTeamAAsync(params string[] args)
    {
        int gid = File.ReadLines("/etc/group").Select(l => l.Split(':')).Where(f => f[0] == "bulwark")
            .Select(f => int.Parse(f[2], CultureInfo.InvariantCulture)).FirstOrDefault(-1);
        Assert.True(gid >= 0, "the bulwark group is missing: run ./install.sh");
        string uid = TeamAUid.ToString(CultureInfo.InvariantCulture);
        return ProcessRunner.RunAsync("setpriv", ["--reuid", uid, "--regid", gid.ToString(CultureInfo.InvariantCulture), "--clear-groups", "--",
            RepoPaths.DockerCli, .. args], new Dictionary<string, string>
            {
                ["DOCKER_HOST"] = _daemon.Host,
                ["DOCKER_CONFIG"] = Path.Combine(_daemon.Root, "docker-config-" + uid),
                ["HOME"] = "/nonexistent",
            });
    }

    [Fact]
    public async Task TeamRole_RunsItsLabelledContainers_ButNotUnlabelledOnesOrAnotherTeams_AndDenialsAreAudited()
    {
        var run = await DockerAsTeamAAsync("run", "--rm", "--label", "team=a", Image, "echo", "team-a-ran");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("team-a-ran", run.Stdout.Trim());

        var unlabelled = await DockerAsTeamAAsync("run", "--rm", Image, "true");
        Assert.NotEqual(0, unlabelled.ExitCode);
        Assert.Contains($"access denied: uid:{TeamAUid} has role team-a+viewer, which allows container.create only on objects labelled team=a; " +
            "the create request has no labels", unlabelled.Stderr, StringComparison.Ordinal);

        var other = await _daemon.DockerAsync("create", "--name", "team-b-box", "--label", "team=b", Image, "sleep", "60");
        Assert.True(other.ExitCode == 0, other.ToString());
        var stop = await DockerAsTeamAAsync("rm", "-f", "team-b-box");
        Assert.NotEqual(0, stop.ExitCode);
        Assert.Contains("which allows container.remove only on objects labelled team=a; container team-b-box has labels team=b",
            stop.Stderr, StringComparison.Ordinal);
        var inspect = await DockerAsTeamAAsync("inspect", "team-b-box"); // viewer, not team-a, allows reading it
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        var still = await _daemon.DockerAsync("inspect", "--format", "{{.Name}}", "team-b-box");
        Assert.Equal("/team-b-box", still.Stdout.Trim());

        // A labelled create may not pull in another team's volume.
        var volume = await _daemon.DockerAsync("volume", "create", "--label", "team=b", "team-b-data");
        Assert.True(volume.ExitCode == 0, volume.ToString());
        var mount = await DockerAsTeamAAsync("run", "--rm", "--label", "team=a", "-v", "team-b-data:/data", Image, "true");
        Assert.NotEqual(0, mount.ExitCode);
        Assert.Contains("which allows container.create only on objects labelled team=a; volume team-b-data has labels team=b",
            mount.Stderr, StringComparison.Ordinal);

        var audit = await _daemon.CliAsync("audit", "ls", "--action", "container.remove", "--format", "json");
        Assert.Contains("\"target\":\"team-b-box\"", audit.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"denied\"", audit.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"role\":\"team-a", audit.Stdout, StringComparison.Ordinal);
    }
}
