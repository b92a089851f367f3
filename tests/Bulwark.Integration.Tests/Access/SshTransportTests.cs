using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Access;

/// <summary>
/// <c>ssh://</c> hosts through a real OpenSSH server on 127.0.0.1: our CLI (and the docker CLI) run
/// <c>system dial-stdio</c> on the far side, so bulwarkd sees the ssh login's uid by SO_PEERCRED and its role applies.
/// </summary>
public sealed class SshTransportTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private const string ViewerUser = "bwsshview";
    private DaemonInstance _daemon = null!;
    private SshServer _ssh = null!;
    private bool _userCreated;

    public async Task InitializeAsync()
    {
        await ProcessRunner.RunAsync("userdel", [ViewerUser]); // a leftover of a killed run, if any
        var add = await ProcessRunner.RunAsync("useradd", ["--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh",
            "--groups", "bulwark", "--password", "*", ViewerUser]);
        Assert.True(add.ExitCode == 0, add.ToString());
        _userCreated = true;
        _daemon = await DaemonInstance.StartAsync($$"""
            { "authorization": { "bindings": { "user:{{ViewerUser}}": "viewer" } } }
            """);
        await _daemon.ImportBusyboxAsync(Image);
        _ssh = await SshServer.StartAsync(_daemon.SocketPath);
        File.CreateSymbolicLink(Path.Combine(_ssh.BinDirectory, "bulwark"), RepoPaths.Cli);
    }

    public async Task DisposeAsync()
    {
        if (_ssh is not null)
        {
            await _ssh.DisposeAsync();
        }

        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }

        if (_userCreated)
        {
            await ProcessRunner.RunAsync("userdel", [ViewerUser]);
        }
    }

    private Task<CommandResult> BulwarkOverSshAsync(string user, params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.Cli, args, new Dictionary<string, string>
        {
            ["BULWARK_HOST"] = $"ssh://{user}@127.0.0.1:{_ssh.Port}",
            ["BULWARK_SSH_OPTS"] = "-F " + _ssh.ClientConfig,
        });

    [Fact]
    public async Task RootOverSsh_PsAndRunRm_Work_AndTheDaemonSeesRootThroughDialStdio()
    {
        var ps = await BulwarkOverSshAsync("root", "ps", "-a");
        Assert.True(ps.ExitCode == 0, ps + "\n" + _ssh.Log);
        Assert.Contains("CONTAINER ID", ps.Stdout, StringComparison.Ordinal);

        var run = await BulwarkOverSshAsync("root", "run", "--rm", Image, "echo", "hello-over-ssh");
        Assert.True(run.ExitCode == 0, run + "\n" + _ssh.Log);
        Assert.Equal("hello-over-ssh", run.Stdout.Trim());

        var left = await _daemon.CliAsync("ps", "-aq");
        Assert.True(left.ExitCode == 0 && left.Stdout.Trim().Length == 0, "run --rm left a container: " + left);

        var audit = await _daemon.CliAsync("audit", "ls", "--action", "container.create", "--format", "json");
        Assert.Contains("\"identity\":\"uid:0 (root)\"", audit.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SshLoginBoundToViewer_CanPsButNotRun_DeniedAsThatUser()
    {
        var ps = await BulwarkOverSshAsync(ViewerUser, "ps", "-a");
        Assert.True(ps.ExitCode == 0, ps + "\n" + _ssh.Log);

        var run = await BulwarkOverSshAsync(ViewerUser, "run", "--rm", Image, "true");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"({ViewerUser}) has role viewer, which does not allow container.create", run.Stderr, StringComparison.Ordinal);

        var denied = await _daemon.CliAsync("audit", "ls", "--action", "container.create", "--format", "json");
        Assert.Contains($"({ViewerUser})", denied.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"denied\"", denied.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginThatSshRefuses_FailsWithSshsReason()
    {
        var ps = await BulwarkOverSshAsync("bwsshnosuchuser", "ps");
        Assert.Equal(1, ps.ExitCode);
        Assert.Contains($"cannot reach the daemon at ssh://bwsshnosuchuser@127.0.0.1:{_ssh.Port}: ssh exited with status 255", ps.Stderr, StringComparison.Ordinal);
        Assert.Contains("Permission denied", ps.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerCliOverSsh_ReachesBulwarkd_ThroughADockerSymlinkToBulwarkOnTheHost()
    {
        // The host side, as docs/SECURITY.md says: `docker` on the login's PATH is bulwark (the docker CLI runs
        // `docker system dial-stdio` there). The client side: the docker CLI's ssh gets our test config via a wrapper.
        File.CreateSymbolicLink(Path.Combine(_ssh.BinDirectory, "docker"), RepoPaths.Cli);
        string clientBin = Path.Combine(_ssh.Directory, "client-bin");
        Directory.CreateDirectory(clientBin);
        string wrapper = Path.Combine(clientBin, "ssh");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec /usr/bin/ssh -F {_ssh.ClientConfig} \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)Convert.ToInt32("755", 8));

        var env = new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = $"ssh://root@127.0.0.1:{_ssh.Port}",
            ["DOCKER_CONFIG"] = Path.Combine(_ssh.Directory, "docker-config"),
            ["PATH"] = clientBin + ":/usr/local/bin:/usr/bin:/bin",
        };
        var run = await ProcessRunner.RunAsync(RepoPaths.DockerCli, ["run", "--rm", Image, "echo", "docker-over-ssh"], env);
        Assert.True(run.ExitCode == 0, run + "\n" + _ssh.Log);
        Assert.Equal("docker-over-ssh", run.Stdout.Trim());

        var ps = await ProcessRunner.RunAsync(RepoPaths.DockerCli, ["ps", "-a"], env);
        Assert.True(ps.ExitCode == 0, ps + "\n" + _ssh.Log);
    }
}
