using System.Diagnostics;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Containers;

[Collection(DaemonCollection.Name)]
public sealed class LogsTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task Logs_Tail_ReturnsLastLinesInJsonFileOrder()
    {
        var run = await D.CliAsync("run", "--name", "logtail", SharedDaemonFixture.Image, "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done");
        Assert.True(run.ExitCode == 0, run.ToString());
        var logs = await D.CliAsync("logs", "--tail", "2", "logtail");
        Assert.Equal("line4\nline5\n", logs.Stdout);
        string id = (await D.CliAsync("inspect", "--format", "{{.Id}}", "logtail")).Stdout.Trim();
        string file = Path.Combine(D.DataRoot, "containers", id, id + "-json.log");
        string first = File.ReadLines(file).First();
        Assert.StartsWith("{\"log\":\"line1\\n\",\"stream\":\"stdout\",\"time\":\"", first, StringComparison.Ordinal);
        await D.CliAsync("rm", "logtail");
    }

    [Fact]
    public async Task Logs_Follow_StreamsNewLinesAndEndsWhenTheContainerExits()
    {
        var run = await D.CliAsync("run", "-d", "--name", "logfollow", SharedDaemonFixture.Image,
            "sh", "-c", "echo start; sleep 1; echo middle; sleep 1; echo end");
        Assert.True(run.ExitCode == 0, run.ToString());
        var sw = Stopwatch.StartNew();
        var logs = await D.CliAsync("logs", "-f", "logfollow");
        Assert.Equal("start\nmiddle\nend\n", logs.Stdout);
        Assert.True(sw.Elapsed > TimeSpan.FromSeconds(1), "logs -f returned before the container finished");
        await D.CliAsync("rm", "-f", "logfollow");
    }

    [Fact]
    public async Task Logs_MaxSizeRotation_FollowReadsAcrossRotatedFiles()
    {
        var run = await D.CliAsync("run", "--name", "logrotate", "--log-opt", "max-size=1k", "--log-opt", "max-file=3",
            SharedDaemonFixture.Image, "sh", "-c", "i=0; while [ $i -lt 60 ]; do echo rotation-line-$i; i=$((i+1)); done");
        Assert.True(run.ExitCode == 0, run.ToString());
        string id = (await D.CliAsync("inspect", "--format", "{{.Id}}", "logrotate")).Stdout.Trim();
        string file = Path.Combine(D.DataRoot, "containers", id, id + "-json.log");
        Assert.True(File.Exists(file + ".1"), "expected a rotated log file");
        Assert.False(File.Exists(file + ".3"), "max-file=3 keeps at most the current file and two rotated ones");
        var logs = await D.CliAsync("logs", "logrotate");
        string[] lines = logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("rotation-line-59", lines[^1]);
        await D.CliAsync("rm", "logrotate");
    }
}
