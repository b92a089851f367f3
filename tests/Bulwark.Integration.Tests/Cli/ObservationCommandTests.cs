using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Cli;

/// <summary>stats, events, history and system df with our CLI.</summary>
[Collection(DaemonCollection.Name)]
public sealed class ObservationCommandTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task StatsNoStream_PrintsOneRowWithMemoryAndPids()
    {
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-stats", "--memory", "64m", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            var r = await D.CliAsync("stats", "--no-stream", "day-stats");
            Assert.True(r.ExitCode == 0, r.ToString());
            var lines = r.Stdout.TrimEnd('\n').Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("CONTAINER ID", lines[0], StringComparison.Ordinal);
            Assert.Contains("MEM USAGE / LIMIT", lines[0], StringComparison.Ordinal);
            Assert.Contains("day-stats", lines[1], StringComparison.Ordinal);
            Assert.Contains("/ 64MiB", lines[1], StringComparison.Ordinal);
            var pids = await D.CliAsync("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "day-stats");
            Assert.Equal("day-stats 1\n", pids.Stdout);
            Assert.Equal((await D.DockerAsync("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "day-stats")).Stdout, pids.Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", "day-stats");
        }
    }

    [Fact]
    public async Task StatsLive_KeepsPrintingUntilTheContainerIsGone()
    {
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", "day-stats-live", SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        var psi = new System.Diagnostics.ProcessStartInfo(RepoPaths.Cli, ["stats", "--format", "{{.Name}}", "day-stats-live"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["BULWARK_HOST"] = D.Host;
        using var stats = System.Diagnostics.Process.Start(psi)!;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // Two refreshes prove it streams; removing the container ends the stream and the command.
            Assert.Equal("day-stats-live", await stats.StandardOutput.ReadLineAsync(guard.Token));
            Assert.Equal("day-stats-live", await stats.StandardOutput.ReadLineAsync(guard.Token));
            Assert.Equal(0, (await D.CliAsync("rm", "-f", "day-stats-live")).ExitCode);
            await stats.StandardOutput.ReadToEndAsync(guard.Token);
            await stats.WaitForExitAsync(guard.Token);
            Assert.Equal(0, stats.ExitCode);
        }
        finally
        {
            if (!stats.HasExited)
            {
                stats.Kill();
            }

            await D.CliAsync("rm", "-f", "day-stats-live");
        }
    }

    [Fact]
    public async Task Events_SinceUntilAndFilter_ReplayTheContainersLifecycle()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await D.CliAsync("run", "--name", "day-events", SharedDaemonFixture.Image, "true")).ExitCode);
        await D.CliAsync("rm", "day-events");
        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var r = await D.CliAsync("events", "--since", since, "--until", until, "--filter", "container=day-events", "--filter", "type=container");
        Assert.True(r.ExitCode == 0, r.ToString());
        var actions = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[2]).ToList();
        Assert.Equal(["create", "start", "die", "destroy"], actions.Where(a => a is "create" or "start" or "die" or "destroy"));
        Assert.Contains("name=day-events", r.Stdout, StringComparison.Ordinal);
        var docker = await D.DockerAsync("events", "--since", since, "--until", until, "--filter", "container=day-events", "--filter", "type=container");
        Assert.Equal(docker.Stdout, r.Stdout);
        var formatted = await D.CliAsync("events", "--since", since, "--until", until, "--filter", "event=die", "--filter", "container=day-events",
            "--format", "{{.Actor.Attributes.name}} {{.Action}}");
        Assert.Equal("day-events die\n", formatted.Stdout);
    }

    [Fact]
    public async Task Events_RelativeSince_IsADurationBeforeNow()
    {
        Assert.Equal(0, (await D.CliAsync("volume", "create", "day-events-vol")).ExitCode);
        Assert.Equal(0, (await D.CliAsync("volume", "rm", "day-events-vol")).ExitCode);
        var r = await D.CliAsync("events", "--since", "5m", "--until", "0s", "--filter", "volume=day-events-vol", "--format", "{{.Type}} {{.Action}}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("volume create", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("volume destroy", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_Live_ShowsAnEventThatHappensWhileListening()
    {
        var psi = new System.Diagnostics.ProcessStartInfo(RepoPaths.Cli, ["events", "--filter", "volume=day-live-vol", "--format", "{{.Action}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["BULWARK_HOST"] = D.Host;
        using var events = System.Diagnostics.Process.Start(psi)!;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var line = events.StandardOutput.ReadLineAsync(guard.Token).AsTask();
            // Create volumes until the listener has seen one (it may subscribe after the first create).
            for (var i = 0; i < 100 && !line.IsCompleted; i++)
            {
                await D.CliAsync("volume", "create", "day-live-vol");
                await D.CliAsync("volume", "rm", "day-live-vol");
                await Task.WhenAny(line, Task.Delay(100));
            }

            Assert.Contains(await line, new[] { "create", "destroy" });
        }
        finally
        {
            events.Kill();
            await D.CliAsync("volume", "rm", "day-live-vol");
        }
    }

    [Fact]
    public async Task Events_BadSince_Exits125NamingTheAcceptedForms()
    {
        var r = await D.CliAsync("events", "--since", "yesterday-ish");
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--since", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("RFC 3339", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_ListsTheImagesLayer()
    {
        var r = await D.CliAsync("history", SharedDaemonFixture.Image);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("IMAGE", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("CREATED BY", r.Stdout, StringComparison.Ordinal);
        var sizes = await D.CliAsync("image", "history", "--format", "{{.Size}}", SharedDaemonFixture.Image);
        Assert.True(sizes.ExitCode == 0, sizes.ToString());
        Assert.Matches(@"\A(\d+(\.\d+)?[kMG]?B\n)+\z", sizes.Stdout);
        var layout = "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}";
        Assert.Equal((await D.DockerAsync("history", "--no-trunc", "--format", layout, SharedDaemonFixture.Image)).Stdout,
            (await D.CliAsync("history", "--no-trunc", "--format", layout, SharedDaemonFixture.Image)).Stdout);
    }

    [Fact]
    public async Task SystemDf_ShowsTheFourKindsAndCountsTheImage()
    {
        var r = await D.CliAsync("system", "df", "--format", "{{.Type}}={{.TotalCount}}");
        Assert.True(r.ExitCode == 0, r.ToString());
        var rows = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Images", "Containers", "Local Volumes", "Build Cache"], rows.Select(l => l.Split('=')[0]));
        Assert.NotEqual("Images=0", rows[0]);
        var table = await D.CliAsync("system", "df");
        Assert.StartsWith("TYPE", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("RECLAIMABLE", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SystemInfoAndSystemEvents_AreTheSameCommands()
    {
        var info = await D.CliAsync("system", "info");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("Server Version", info.Stdout, StringComparison.Ordinal);
        var events = await D.CliAsync("system", "events", "--since", "1m", "--until", "0s");
        Assert.True(events.ExitCode == 0, events.ToString());
    }
}
