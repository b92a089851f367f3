using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Ports;

/// <summary>daemon.json "ip" and policy.published-ports on a daemon of its own, and published ports across a daemon restart.</summary>
public sealed class PublishedPortsDaemonConfigTests : IAsyncLifetime
{
    private const string Httpd = "mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www";
    private const string DaemonJson = """
        {"ip": "127.0.0.2", "policy": {"published-ports": {"allowed-ranges": ["40000-40100"]}}}
        """;

    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync(DaemonJson);
        await _d.ImportBusyboxAsync(SharedDaemonFixture.Image);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task DaemonIp_IsTheDefaultHostAddress_AndThePortIsServedAgainAfterADaemonRestart()
    {
        var run = await _d.DockerAsync("run", "-d", "--name", "ipdefault", "-p", "80", SharedDaemonFixture.Image, "sh", "-c", Httpd);
        Assert.True(run.ExitCode == 0, run.ToString() + _d.DaemonLog);
        string hostPort = (await _d.DockerAsync("port", "ipdefault", "80")).Stdout.Trim();
        Assert.Matches(@"^127\.0\.0\.2:\d+$", hostPort);
        Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(hostPort));

        await _d.RestartAsync();

        Assert.Equal(hostPort, (await _d.DockerAsync("port", "ipdefault", "80")).Stdout.Trim());
        Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(hostPort));
    }

    [Fact]
    public async Task PolicyAllowedRanges_RefusesAHostPortOutsideThem_AndAllowsOneInside()
    {
        var refused = await _d.DockerAsync("run", "-d", "--name", "outside", "-p", "127.0.0.1:39999:80", SharedDaemonFixture.Image, "true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains("policy \"published-ports.allowed-ranges\" refuses", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("40000-40100", refused.Stderr, StringComparison.Ordinal);

        var allowed = await _d.DockerAsync("create", "--name", "inside", "-p", "127.0.0.1:40050:80", SharedDaemonFixture.Image, "true");
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
    }
}
