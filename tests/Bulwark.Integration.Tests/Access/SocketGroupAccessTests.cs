using System.Globalization;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Access;

/// <summary>
/// The default layout puts the socket in the exec root (/run/bulwark/bulwark.sock): a daemon with its socket directly
/// in its exec root lets members of the bulwark group reach it (exec root root:bulwark 0710, everything else in it
/// closed), and nobody else.
/// </summary>
public sealed class SocketGroupAccessTests : IAsyncLifetime
{
    private const int MemberUid = 41005;
    private const int OutsiderUid = 41006;
    private DaemonInstance _daemon = null!;

    private string ExecRootSocket => Path.Combine(_daemon.ExecRoot, "bulwark.sock");

    public async Task InitializeAsync()
    {
        string root = Path.Combine("/tmp", "bwt-" + Guid.NewGuid().ToString("N")[..8]);
        _daemon = await DaemonInstance.StartAsync(null, ["--host", "unix://" + Path.Combine(root, "x", "bulwark.sock")], root);
    }

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private static int BulwarkGid() =>
        File.ReadLines("/etc/group").Select(l => l.Split(':')).Where(f => f[0] == "bulwark").Select(f => int.Parse(f[2], CultureInfo.InvariantCulture))
            .FirstOrDefault(-1);

    private Task<CommandResult> DockerAsAsync(int uid, int[] groups, params string[] args)
    {
        string id = uid.ToString(CultureInfo.InvariantCulture);
        string[] groupArgs = groups.Length > 0 ? ["--groups", string.Join(',', groups)] : ["--clear-groups"];
        return ProcessRunner.RunAsync("setpriv", ["--reuid", id, "--regid", id, .. groupArgs, "--", RepoPaths.DockerCli, .. args],
            new Dictionary<string, string>
            {
                ["DOCKER_HOST"] = "unix://" + ExecRootSocket,
                ["DOCKER_CONFIG"] = Path.Combine(_daemon.Root, "docker-config-" + id),
                ["HOME"] = "/nonexistent",
            });
    }

    [Fact]
    public async Task SocketInTheExecRoot_GroupMemberRunsDockerPs_OutsiderIsRefused_ExecRootOnlyTraversable()
    {
        int gid = BulwarkGid();
        Assert.True(gid >= 0, "the bulwark group is missing: run ./install.sh");

        var member = await DockerAsAsync(MemberUid, [gid], "ps", "-a");
        Assert.True(member.ExitCode == 0, member.ToString());
        Assert.Contains("CONTAINER ID", member.Stdout, StringComparison.Ordinal);

        var outsider = await DockerAsAsync(OutsiderUid, [], "ps");
        Assert.NotEqual(0, outsider.ExitCode);
        Assert.Contains("permission denied", outsider.Stderr, StringComparison.OrdinalIgnoreCase);

        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%a %U %G", _daemon.ExecRoot]);
        Assert.Equal("710 root bulwark", stat.Stdout.Trim());
        foreach (string entry in Directory.EnumerateFileSystemEntries(_daemon.ExecRoot).Where(e => e != ExecRootSocket))
        {
            var mode = File.GetUnixFileMode(entry);
            Assert.True((mode & (UnixFileMode)Convert.ToInt32("077", 8)) == 0, $"{entry} is open to group or others: {mode}");
        }

        var list = await ProcessRunner.RunAsync("setpriv", ["--reuid", MemberUid.ToString(CultureInfo.InvariantCulture), "--regid",
            MemberUid.ToString(CultureInfo.InvariantCulture), "--groups", gid.ToString(CultureInfo.InvariantCulture), "--", "ls", _daemon.ExecRoot]);
        Assert.NotEqual(0, list.ExitCode); // members pass through to the socket but cannot list the exec root
    }
}
