using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Incident;

/// <summary>bulwark isolate: a running container cut off without being killed, seen from inside it.</summary>
[Collection(DaemonCollection.Name)]
public sealed class IsolateTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    /// <summary>The container reports its link state and route count every 0.2 s; waits for a report (null: any).</summary>
    private async Task<string> WaitForReportAsync(string ctr, string? expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var logs = await D.CliAsync("logs", "--tail", "1", ctr);
            last = logs.Stdout.Trim();
            if (expected is null ? last.StartsWith("up ", StringComparison.Ordinal) && last != "up 0" : last == expected)
            {
                return last;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"container {ctr} never reported \"{expected ?? "up N>0"}\"; last report: \"{last}\"");
        return last;
    }

    [Fact]
    public async Task Isolate_CutsNetworkAndExec_KeepsItRunning_FreezeAndUndoRestore_EventsAndAuditRecordIt()
    {
        string suffix = Guid.NewGuid().ToString("N")[..6];
        string net = "iso-net-" + suffix;
        string ctr = "iso-" + suffix;
        Assert.Equal(0, (await D.CliAsync("network", "create", net)).ExitCode);
        try
        {
            var run = await D.CliAsync("run", "-d", "--name", ctr, "--network", net, SharedDaemonFixture.Image, "sh", "-c",
                "while :; do echo \"$(cat /sys/class/net/eth0/operstate) $(ip route | wc -l)\"; sleep 0.2; done");
            Assert.True(run.ExitCode == 0, run + "\n" + D.DaemonLog);
            string connected = await WaitForReportAsync(ctr, null);

            var isolate = await D.CliAsync("isolate", ctr);
            Assert.True(isolate.ExitCode == 0, isolate + "\n" + D.DaemonLog);
            Assert.Contains("links down: eth0", isolate.Stdout, StringComparison.Ordinal);
            await WaitForReportAsync(ctr, "down 0");
            Assert.Equal("running", (await D.CliAsync("inspect", "-f", "{{.State.Status}}", ctr)).Stdout.Trim());

            var exec = await D.CliAsync("exec", ctr, "true");
            Assert.NotEqual(0, exec.ExitCode);
            Assert.Contains($"container {ctr} is isolated", exec.Stderr, StringComparison.Ordinal);
            Assert.Contains("exec is refused", exec.Stderr, StringComparison.Ordinal);

            var freeze = await D.CliAsync("isolate", "--freeze", ctr);
            Assert.True(freeze.ExitCode == 0, freeze.ToString());
            Assert.Contains("frozen", freeze.Stdout, StringComparison.Ordinal);
            Assert.Equal("paused", (await D.CliAsync("inspect", "-f", "{{.State.Status}}", ctr)).Stdout.Trim());

            var undo = await D.CliAsync("isolate", "--undo", ctr);
            Assert.True(undo.ExitCode == 0, undo + "\n" + D.DaemonLog);
            Assert.Equal("running", (await D.CliAsync("inspect", "-f", "{{.State.Status}}", ctr)).Stdout.Trim());
            await WaitForReportAsync(ctr, connected);
            var execAfter = await D.CliAsync("exec", ctr, "true");
            Assert.True(execAfter.ExitCode == 0, execAfter.ToString());

            var events = await D.CliAsync("events", "--since", "5m", "--until", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--filter", "container=" + ctr, "--format", "{{.Action}}");
            var actions = events.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("isolate", actions);
            Assert.Contains("unisolate", actions);
            var audit = await D.CliAsync("audit", "ls", "--action", "container.isolate", "--format", "json");
            Assert.True(audit.ExitCode == 0, audit.ToString());
            Assert.True(audit.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains(ctr, StringComparison.Ordinal)) >= 3,
                audit.Stdout);
        }
        finally
        {
            await D.CliAsync("rm", "-f", ctr);
            await D.CliAsync("network", "rm", net);
        }
    }

    [Fact]
    public async Task Isolate_ContainerThatExits_StartRefusedUntilUndo()
    {
        string ctr = "iso-exit-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(0, (await D.CliAsync("run", "-d", "--name", ctr, SharedDaemonFixture.Image, "sleep", "300")).ExitCode);
        try
        {
            var isolate = await D.CliAsync("isolate", ctr);
            Assert.True(isolate.ExitCode == 0, isolate + "\n" + D.DaemonLog);
            Assert.Contains("none (loopback only)", isolate.Stdout, StringComparison.Ordinal); // --network none
            Assert.Equal(0, (await D.CliAsync("kill", ctr)).ExitCode);
            Assert.Equal(0, (await D.CliAsync("wait", ctr)).ExitCode);

            var start = await D.CliAsync("start", ctr);
            Assert.NotEqual(0, start.ExitCode);
            Assert.Contains($"container {ctr} is isolated", start.Stderr, StringComparison.Ordinal);
            Assert.Contains("start is refused", start.Stderr, StringComparison.Ordinal);

            Assert.Equal(0, (await D.CliAsync("isolate", "--undo", ctr)).ExitCode);
            var again = await D.CliAsync("start", ctr);
            Assert.True(again.ExitCode == 0, again.ToString());
        }
        finally
        {
            await D.CliAsync("rm", "-f", ctr);
        }
    }

    [Fact]
    public async Task Isolate_StoppedContainer_ConflictNamingTheCause()
    {
        string ctr = "iso-stopped-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(0, (await D.CliAsync("create", "--name", ctr, SharedDaemonFixture.Image, "true")).ExitCode);
        try
        {
            var r = await D.CliAsync("isolate", ctr);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"container {ctr} is not running: there is nothing to isolate", r.Stderr, StringComparison.Ordinal);
            var undo = await D.CliAsync("isolate", "--undo", ctr);
            Assert.Contains($"container {ctr} is not isolated", undo.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", ctr);
        }
    }
}
