using System.Globalization;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>More docker CLI 28 commands against bulwarkd: events, stats, pause, top, rename, prune, restart, logs, ttys.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerCliMoreTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerEvents_SinceUntil_ListsCreateStartDieOfAContainer()
    {
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await OkAsync("run", "-d", "--name", "events1", Image, "true");
        Assert.Equal("0", (await OkAsync("wait", "events1")).Stdout.Trim());
        // --until one second ahead: the CLI returns once that time has passed.
        string t1 = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture);
        var r = await OkAsync("events", "--since", t0.ToString(CultureInfo.InvariantCulture), "--until", t1,
            "--filter", "type=container", "--filter", "container=events1");
        string[] actions = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')[2])
            .ToArray();
        Assert.Equal(["create", "start", "die"], actions);
        Assert.All(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains("name=events1", l, StringComparison.Ordinal));
        Assert.Contains("exitCode=0", r.Stdout, StringComparison.Ordinal);
        await OkAsync("rm", "events1");
    }

    [Fact]
    public async Task DockerStatsNoStream_ShowsTheNameAndTheMemoryLimit()
    {
        await OkAsync("run", "-d", "--name", "stats1", "--memory", "64m", Image, "sleep", "300");
        try
        {
            var r = await OkAsync("stats", "--no-stream", "stats1");
            string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("MEM USAGE / LIMIT", lines[0], StringComparison.Ordinal);
            string row = Assert.Single(lines, l => l.Contains(" stats1 ", StringComparison.Ordinal));
            Assert.Contains(" / 64MiB", row, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "stats1");
        }
    }

    [Fact]
    public async Task DockerPauseUnpause_PsShowsPausedThenRunning()
    {
        await OkAsync("run", "-d", "--name", "pause1", Image, "sleep", "300");
        try
        {
            await OkAsync("pause", "pause1");
            Assert.EndsWith("(Paused)", (await OkAsync("ps", "--filter", "name=pause1", "--format", "{{.Status}}")).Stdout.Trim(), StringComparison.Ordinal);
            Assert.Equal("paused true", (await OkAsync("inspect", "--format", "{{.State.Status}} {{.State.Paused}}", "pause1")).Stdout.Trim());

            await OkAsync("unpause", "pause1");
            string status = (await OkAsync("ps", "--filter", "name=pause1", "--format", "{{.Status}}")).Stdout.Trim();
            Assert.StartsWith("Up ", status, StringComparison.Ordinal);
            Assert.DoesNotContain("Paused", status, StringComparison.Ordinal);
            Assert.Equal("running false", (await OkAsync("inspect", "--format", "{{.State.Status}} {{.State.Paused}}", "pause1")).Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "pause1");
        }
    }

    [Fact]
    public async Task DockerTop_ShowsTheContainerProcess()
    {
        await OkAsync("run", "-d", "--name", "top1", Image, "sleep", "301");
        try
        {
            var r = await OkAsync("top", "top1");
            string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("PID", lines[0], StringComparison.Ordinal);
            Assert.Contains("CMD", lines[0], StringComparison.Ordinal);
            Assert.Contains(lines, l => l.EndsWith("sleep 301", StringComparison.Ordinal));
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "top1");
        }
    }

    [Fact]
    public async Task DockerTop_WithCommaSeparatedPsColumns_ShowsThoseColumns()
    {
        await OkAsync("run", "-d", "--name", "top2", Image, "sleep", "302");
        try
        {
            var r = await OkAsync("top", "top2", "-o", "pid,comm,args");
            string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^PID\s+COMMAND\s+COMMAND", lines[0]);
            Assert.Contains(lines, l => l.Contains("sleep", StringComparison.Ordinal) && l.EndsWith("sleep 302", StringComparison.Ordinal));
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "top2");
        }
    }

    [Fact]
    public async Task DockerRename_NewNameResolvesAndOldNameIsGone()
    {
        await OkAsync("create", "--name", "rename1", Image, "true");
        await OkAsync("rename", "rename1", "rename2");
        Assert.Equal("/rename2", (await OkAsync("inspect", "--format", "{{.Name}}", "rename2")).Stdout.Trim());
        var old = await D.DockerAsync("inspect", "rename1");
        Assert.Equal(1, old.ExitCode);
        Assert.Contains("No such object: rename1", old.Stderr, StringComparison.Ordinal);
        await OkAsync("rm", "rename2");
    }

    [Fact]
    public async Task DockerContainerPrune_RemovesOnlyStoppedContainersMatchingTheFilter()
    {
        string label = "bwprune=" + Guid.NewGuid().ToString("N")[..8];
        string stopped1 = (await OkAsync("create", "--label", label, Image, "true")).Stdout.Trim();
        string stopped2 = (await OkAsync("run", "-d", "--label", label, Image, "true")).Stdout.Trim();
        await OkAsync("wait", stopped2);
        string running = (await OkAsync("run", "-d", "--label", label, Image, "sleep", "300")).Stdout.Trim();
        string unlabelled = (await OkAsync("create", Image, "true")).Stdout.Trim();
        try
        {
            var r = await OkAsync("container", "prune", "-f", "--filter", "label=" + label);
            Assert.Contains("Deleted Containers:", r.Stdout, StringComparison.Ordinal);
            Assert.Contains(stopped1, r.Stdout, StringComparison.Ordinal);
            Assert.Contains(stopped2, r.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(running, r.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(unlabelled, r.Stdout, StringComparison.Ordinal);

            string all = (await OkAsync("ps", "-aq", "--no-trunc")).Stdout;
            Assert.DoesNotContain(stopped1, all, StringComparison.Ordinal);
            Assert.DoesNotContain(stopped2, all, StringComparison.Ordinal);
            Assert.Contains(running, all, StringComparison.Ordinal);
            Assert.Contains(unlabelled, all, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", running, unlabelled);
        }
    }

    [Fact]
    public async Task DockerImagePrune_RemovesTheImageATagMovedAwayFrom()
    {
        string tar = BusyboxImage.BuildRootfsTar(Path.Combine(D.Root, "prune-image-" + Guid.NewGuid().ToString("N")[..8]));
        string first = (await OkAsync("import", "--change", "ENV PRUNE=1", tar, "test/prune:1")).Stdout.Trim();
        string second = (await OkAsync("import", "--change", "ENV PRUNE=2", tar, "test/prune:1")).Stdout.Trim();
        Assert.NotEqual(first, second);
        Assert.Contains(first, (await OkAsync("images", "--filter", "dangling=true", "-q", "--no-trunc")).Stdout, StringComparison.Ordinal);

        var r = await OkAsync("image", "prune", "-f");
        Assert.Contains("deleted: " + first, r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(second, r.Stdout, StringComparison.Ordinal);

        string images = (await OkAsync("images", "-aq", "--no-trunc")).Stdout;
        Assert.DoesNotContain(first, images, StringComparison.Ordinal);
        Assert.Contains(second, images, StringComparison.Ordinal);
        await OkAsync("rmi", "test/prune:1");
    }

    [Fact]
    public async Task DockerRestart_RunsTheCommandAgainAndKeepsTheLog()
    {
        await OkAsync("run", "-d", "--name", "restart1", Image, "sh", "-c", "echo started; exec sleep 300");
        try
        {
            string startedAt1 = (await OkAsync("inspect", "--format", "{{.State.StartedAt}}", "restart1")).Stdout.Trim();
            await OkAsync("restart", "-t", "1", "restart1");
            Assert.Equal("running", (await OkAsync("inspect", "--format", "{{.State.Status}}", "restart1")).Stdout.Trim());
            string startedAt2 = (await OkAsync("inspect", "--format", "{{.State.StartedAt}}", "restart1")).Stdout.Trim();
            Assert.NotEqual(startedAt1, startedAt2);
            // A restart requested by the user is not counted by RestartCount (that is for restart policies).
            Assert.Equal("0", (await OkAsync("inspect", "--format", "{{.RestartCount}}", "restart1")).Stdout.Trim());
            string logs = await WaitForLogsAsync("restart1", l => l.Split('\n').Count(x => x == "started") >= 2);
            Assert.Equal("started\nstarted\n", logs);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "restart1");
        }
    }

    [Fact]
    public async Task DockerRestart_ImmediatelyAndRepeatedly_NeverCollidesWithThePreviousRunsRuntimeState()
    {
        // After an exit the monitor still runs `runc delete` for the id; a restart that does not wait for it fails
        // with "container with given ID already exists" (seen 5 times in 40 restarts before the fix).
        await OkAsync("run", "-d", "--name", "restart2", Image, "sh", "-c", "echo started; exec sleep 300");
        try
        {
            // A restart that reaches sh before its echo kills that run silently (`-t 0`: SIGKILL at once; seen on a loaded
            // machine), so each restart waits for the previous run's line; the restart itself follows at once.
            for (int i = 0; i < 20; i++)
            {
                int runs = i + 1;
                await WaitForLogsAsync("restart2", l => l.Split('\n').Count(x => x == "started") >= runs);
                await OkAsync("restart", "-t", "0", "restart2");
            }
            Assert.Equal("running", (await OkAsync("inspect", "--format", "{{.State.Status}}", "restart2")).Stdout.Trim());
            string logs = await WaitForLogsAsync("restart2", l => l.Split('\n').Count(x => x == "started") >= 21);
            Assert.Equal(21, logs.Split('\n').Count(x => x == "started"));
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "restart2");
        }
    }

    [Fact]
    public async Task DockerLogsSince_OmitsLinesWrittenBeforeTheTimestamp()
    {
        // "late" is written only after the test creates /tmp/go, so the two lines are ordered without timing.
        await OkAsync("run", "-d", "--name", "logsince1", Image, "sh", "-c",
            "echo early; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo late; exec sleep 300");
        try
        {
            string stamped = await WaitForLogsAsync("logsince1", l => l.Contains("early", StringComparison.Ordinal), "-t");
            string stamp = stamped.Split(' ')[0];
            int dot = stamp.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && stamp.Length - dot - 2 > 7)
            {
                stamp = stamp[..(dot + 8)] + "Z"; // .NET parses at most 7 fractional digits; Docker writes 9
            }
            DateTimeOffset early = DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture);
            await OkAsync("exec", "logsince1", "touch", "/tmp/go");
            await WaitForLogsAsync("logsince1", l => l.Contains("late", StringComparison.Ordinal));

            string after = early.AddMilliseconds(1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
            Assert.Equal("late\n", (await OkAsync("logs", "--since", after, "logsince1")).Stdout);
            string before = early.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            Assert.Equal("early\nlate\n", (await OkAsync("logs", "--since", before, "logsince1")).Stdout);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "logsince1");
        }
    }

    // The CLI sends the terminal size twice: in the request (create HostConfig.ConsoleSize / exec start ConsoleSize,
    // API >= 1.42) and with POST …/resize once started. The loop waits for the resize path (busybox `stty size` prints
    // nothing, exit 0, while the size is 0x0); the two tests after these
    // check that the size is already there when the process starts (no 0x0 window).
    private const string WaitForSize =
        "for i in $(seq 100); do s=$(stty size 2>/dev/null); case \"$s\" in [1-9]*) break;; esac; sleep 0.05; done; echo size=$s; tty";

    [Fact]
    public async Task DockerRunTty_UnderAPseudoTerminal_GetsATtyTheResizeAndTheExitCode()
    {
        var r = await InPtyAsync($"{RepoPaths.DockerCli} run --rm -t {Image} sh -c '{WaitForSize}; exit 3'");
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains("size=30 100", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("/dev/pts/", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerExecIt_UnderAPseudoTerminal_GetsATtyTheResizeAndTheExitCode()
    {
        await OkAsync("run", "-d", "--name", "execit1", Image, "sleep", "300");
        try
        {
            var r = await InPtyAsync($"{RepoPaths.DockerCli} exec -it execit1 sh -c '{WaitForSize}; exit 4'");
            Assert.True(r.ExitCode == 4, r.ToString());
            Assert.Contains("size=30 100", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("/dev/pts/", r.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "execit1");
        }
    }

    [Fact]
    public async Task DockerRunTty_ConsoleSizeFromCreate_IsSetBeforeTheProcessStarts()
    {
        var r = await InPtyAsync($"{RepoPaths.DockerCli} run --rm -t {Image} stty size");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("30 100", r.Stdout.Trim());
    }

    [Fact]
    public async Task DockerExecIt_ConsoleSizeFromExecStart_IsSetBeforeTheProcessStarts()
    {
        await OkAsync("run", "-d", "--name", "execit2", Image, "sleep", "300");
        try
        {
            var r = await InPtyAsync($"{RepoPaths.DockerCli} exec -it execit2 stty size");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("30 100", r.Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "execit2");
        }
    }

    [Fact]
    public async Task DockerInspectFormat_PidsLimit_ShowsTheFlagOrOurDefault()
    {
        await OkAsync("create", "--name", "pids1", "--pids-limit", "77", Image, "true");
        await OkAsync("create", "--name", "pids2", Image, "true");
        try
        {
            Assert.Equal("77", (await OkAsync("inspect", "--format", "{{.HostConfig.PidsLimit}}", "pids1")).Stdout.Trim());
            // Deliberate difference (docs/COMPATIBILITY.md): no flag means our default of 1024, not Docker's unlimited.
            Assert.Equal("1024", (await OkAsync("inspect", "--format", "{{.HostConfig.PidsLimit}}", "pids2")).Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "pids1", "pids2");
        }
    }

    private async Task<CommandResult> OkAsync(params string[] args)
    {
        var r = await D.DockerAsync(args);
        Assert.True(r.ExitCode == 0, "docker " + string.Join(' ', args) + "\n" + r);
        return r;
    }

    private async Task<string> WaitForLogsAsync(string container, Func<string, bool> done, params string[] flags)
    {
        CommandResult r = await OkAsync(["logs", .. flags, container]);
        for (int i = 0; i < 100 && !done(r.Stdout); i++)
        {
            await Task.Delay(100);
            r = await OkAsync(["logs", .. flags, container]);
        }
        Assert.True(done(r.Stdout), "logs never matched: " + r);
        return r.Stdout;
    }

    /// <summary>Runs a shell command line on a fresh pseudo-terminal of 30 rows × 100 columns (util-linux script).</summary>
    /// <summary>Runs under `script` (a real pseudo-terminal). Our closed stdin reaches the terminal as a NUL that the
    /// line discipline echoes as "^@"; that echo is the terminal's, not the container's, so it is dropped.</summary>
    private async Task<CommandResult> InPtyAsync(string commandLine)
    {
        var r = await ProcessRunner.RunAsync("script", ["-qec", "stty rows 30 cols 100; " + commandLine, "/dev/null"], new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = D.Host,
            ["DOCKER_CONFIG"] = Path.Combine(D.Root, "docker-config"),
        });
        return r with { Stdout = r.Stdout.Replace("^@", "", StringComparison.Ordinal) };
    }
}
