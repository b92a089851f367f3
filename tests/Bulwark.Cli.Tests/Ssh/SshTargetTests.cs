using Bulwark.Client;
using Bulwark.Client.Ssh;

namespace Bulwark.Cli.Tests.Ssh;

public sealed class SshTargetTests
{
    [Theory]
    [InlineData("ssh://host", null, "host", null)]
    [InlineData("ssh://alice@host.example:2222", "alice", "host.example", 2222)]
    [InlineData("ssh://root@127.0.0.1:22022", "root", "127.0.0.1", 22022)]
    [InlineData("ssh://bob@[::1]:2200", "bob", "::1", 2200)]
    public void Parse_UserHostPort(string url, string? user, string host, int? port) =>
        Assert.Equal(new SshTarget(user, host, port), SshTarget.Parse(url));

    [Theory]
    [InlineData("ssh://alice:secret@host", "password")]
    [InlineData("ssh://host/var/run/docker.sock", "path")]
    [InlineData("ssh://host/", "path")]
    [InlineData("ssh://host?x=1", "query")]
    [InlineData("ssh://-oProxyCommand", "'-'")]
    [InlineData("ssh://-l@host", "'-'")]
    [InlineData("ssh://", "expected ssh://")]
    [InlineData("tcp://h", "expected ssh://")]
    public void Parse_BadUrl_NamesTheCause(string url, string cause)
    {
        var ex = Assert.Throws<ArgumentException>(() => SshTarget.Parse(url));
        Assert.Contains(cause, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SshArguments_NoTty_Timeout_ExtraOptions_UserPort_ThenHostAfterDoubleDash()
    {
        var args = new SshTarget("alice", "h", 2222).SshArguments(["-F", "/cfg"], ["bulwark", "system", "dial-stdio"]);
        Assert.Equal(["-T", "-o", "ConnectTimeout=30", "-F", "/cfg", "-l", "alice", "-p", "2222", "--", "h", "bulwark", "system", "dial-stdio"], args);
    }

    [Fact]
    public void SshArguments_WithoutUserOrPort_LeaveThemToSsh() =>
        Assert.Equal(["-T", "-o", "ConnectTimeout=30", "--", "h", "true"], new SshTarget(null, "h", null).SshArguments([], ["true"]));

    [Fact]
    public void Resolve_SshHost_FromEnvironment_WithOptionsSplitOnWhitespace()
    {
        var address = Assert.IsType<SshAddress>(DockerHost.Resolve(null, "ssh://root@127.0.0.1:2200", " -i /k  -o UserKnownHostsFile=/kh "));
        Assert.Equal(new SshTarget("root", "127.0.0.1", 2200), address.Target);
        Assert.Equal(["-i", "/k", "-o", "UserKnownHostsFile=/kh"], address.ExtraOptions);
        Assert.Equal("ssh://root@127.0.0.1:2200", address.Display);
    }

    [Fact]
    public void Resolve_FlagWinsOverEnvironment_AndUnixStaysUnix() =>
        Assert.Equal(new UnixSocketAddress("/tmp/a.sock"), DockerHost.Resolve("unix:///tmp/a.sock", "ssh://h"));
}
