using Bulwark.Api.Models.Containers;
using Bulwark.Cli.Commands;

namespace Bulwark.Cli.Tests.Commands;

public sealed class CliApplicationTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new CliContext { Out = stdout, Error = stderr, GetEnvironment = _ => null };
        var code = await CliApplication.RunAsync(context, args, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task RunAsync_UnknownFlag_Exit125NamingIt()
    {
        var (code, _, err) = await RunAsync("run", "--bogus", "busybox");

        Assert.Equal(125, code);
        Assert.Contains("--bogus", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BadMemoryValue_Exit125NamingTheFlag()
    {
        var (code, _, err) = await RunAsync("run", "-m", "12q", "busybox");

        Assert.Equal(125, code);
        Assert.Contains("--memory", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_VersionClient_DoesNotNeedTheDaemon()
    {
        var (code, output, _) = await RunAsync("-H", "unix:///nonexistent/bulwark.sock", "version", "--client");

        Assert.Equal(0, code);
        Assert.StartsWith("Client:\n Version:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DaemonUnreachable_Exit1WithSocketInMessage()
    {
        var (code, _, err) = await RunAsync("-H", "unix:///nonexistent/bulwark.sock", "ps");

        Assert.Equal(1, code);
        Assert.Contains("/nonexistent/bulwark.sock", err, StringComparison.Ordinal);
    }

    [Fact]
    public void PsRender_Containers_DockerColumns()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_795_376_485);
        var list = new List<ContainerSummary>
        {
            new()
            {
                Id = "16d1cafe16d1cafe16d1cafe16d1cafe16d1cafe16d1cafe16d1cafe16d1cafe", Names = ["/capc"], Image = "busybox:local",
                ImageID = "sha256:e55f", Command = "sh -c 'trap \"exit 7\" TERM; while :; do sleep 1; done'", Created = 1_795_376_365,
                State = "running", Status = "Up 2 minutes",
            },
        };

        var text = PsCommand.Render(list, quiet: false, noTrunc: false, now);
        var lines = text.Split('\n');

        Assert.Equal("CONTAINER ID   IMAGE           COMMAND                   CREATED         STATUS         PORTS     NAMES", lines[0]);
        Assert.Equal("16d1cafe16d1   busybox:local   \"sh -c 'trap \\\"exit 7…\"   2 minutes ago   Up 2 minutes             capc", lines[1]);
        Assert.Equal("16d1cafe16d1\n", PsCommand.Render(list, quiet: true, noTrunc: false, now));
    }

    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("busybox:1.36", "busybox", "1.36")]
    [InlineData("localhost:5000/app:v1", "localhost:5000/app", "v1")]
    [InlineData("localhost:5000/app", "localhost:5000/app", "latest")]
    public void SplitReference_Reference_RepositoryAndTag(string reference, string repo, string tag) =>
        Assert.Equal((repo, tag), ImageCommands.SplitReference(reference));

    [Theory]
    [InlineData("1700000000", "1700000000")]
    [InlineData("10m", "1699999400")]
    [InlineData("1h30m", "1699994600")]
    [InlineData("2023-11-14T22:13:20Z", "1700000000")]
    public void ParseSince_Value_UnixSeconds(string value, string expected) =>
        Assert.Equal(expected, LogsCommand.ParseSince(value, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000)));
}
