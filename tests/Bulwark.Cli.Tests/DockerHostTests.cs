using Bulwark.Client;

namespace Bulwark.Cli.Tests;

public sealed class DockerHostTests
{
    [Theory]
    [InlineData("unix:///tmp/a.sock", null, "/tmp/a.sock")]
    [InlineData("/tmp/b.sock", null, "/tmp/b.sock")]
    [InlineData(null, "unix:///run/x.sock", "/run/x.sock")]
    [InlineData("", "", "/run/bulwark/bulwark.sock")]
    [InlineData("/flag.sock", "/env.sock", "/flag.sock")]
    public void ResolveSocketPath_FlagEnvDefault_Precedence(string? flag, string? env, string expected) =>
        Assert.Equal(expected, DockerHost.ResolveSocketPath(flag, env));

    [Fact]
    public void ParseSocketPath_Tcp_Rejected() => Assert.Throws<ArgumentException>(() => DockerHost.ParseSocketPath("tcp://1.2.3.4:2375"));
}
