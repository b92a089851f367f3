using System.Diagnostics;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Resilience;

/// <summary>
/// kill -9 of bulwarkd in the middle of starts, removals, stops and execs, then a restart on the same data root:
/// every container the runtime runs is tracked (its real state in inspect) or gone, and after `rm -f` of everything
/// nothing is left: no runtime state, no monitor or container process, no cgroup, no mount.
/// </summary>
public sealed class CrashReconcileTests : IAsyncLifetime
{
    private const string Image = "test/busybox:1";
    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync();
        await _d.ImportBusyboxAsync(Image);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task KillDuringStarts_LeavesNoContainerRunningUnseen()
    {
        // Six rounds at fixed delays after launching 20 `run -d`, then one round killed as soon as the first record is
        // on disk: on a loaded machine the fixed delays can all land before any create, and the test must still have
        // killed the daemon among the starts at least once.
        int?[] delaysMs = [50, 120, 200, 300, 400, 500, null];
        int seenAfterRestart = 0;
        foreach (int? delay in delaysMs)
        {
            string when = delay is { } ms ? $"kill after {ms} ms of starts" : "kill at the first record of starts";
            var clis = Enumerable.Range(0, 20).Select(_ => StartCli("run", "-d", Image, "sleep", "1000")).ToList();
            if (delay is { } fixedDelay)
            {
                await Task.Delay(fixedDelay);
            }
            else
            {
                await WaitForFirstRecordAsync(TimeSpan.FromSeconds(60));
            }

            await _d.KillProcessAsync();
            await EndAllAsync(clis);
            await _d.StartProcessAsync();
            seenAfterRestart += (await _d.CliAsync("ps", "-aq")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            await AssertEverythingRunningIsTrackedAsync(when);
            await RemoveAllAndAssertCleanAsync(when);
        }
        // The kills must have landed among the starts: containers were there to reconcile.
        Assert.True(seenAfterRestart > 0, "no container was created before any of the kills");
        await AssertServingAsync();
    }

    private async Task WaitForFirstRecordAsync(TimeSpan limit)
    {
        string containers = Path.Combine(_d.DataRoot, "containers");
        var deadline = DateTime.UtcNow + limit;
        while (!Directory.Exists(containers) || !Directory.EnumerateDirectories(containers).Any(d => File.Exists(Path.Combine(d, "container.json"))))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no container record appeared within {limit.TotalSeconds} s of 20 `run -d`");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task KillDuringRemovals_LeavesNothingBehind()
    {
        int[] delaysMs = [30, 150, 400];
        foreach (int delay in delaysMs)
        {
            await RunDetachedAsync(10);
            var ids = (await _d.CliAsync("ps", "-aq")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var clis = ids.Select(id => StartCli("rm", "-f", id)).ToList();
            await Task.Delay(delay);
            await _d.KillProcessAsync();
            await EndAllAsync(clis);
            await _d.StartProcessAsync();
            await AssertEverythingRunningIsTrackedAsync($"kill after {delay} ms of removals");
            await RemoveAllAndAssertCleanAsync($"kill after {delay} ms of removals");
        }
        await AssertServingAsync();
    }

    [Fact]
    public async Task KillDuringStops_LeavesEveryContainerTrackedOrStopped()
    {
        int[] delaysMs = [30, 200, 600];
        foreach (int delay in delaysMs)
        {
            await RunDetachedAsync(10);
            var ids = (await _d.CliAsync("ps", "-q")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var clis = ids.Select(id => StartCli("stop", "-t", "1", id)).ToList();
            await Task.Delay(delay);
            await _d.KillProcessAsync();
            await EndAllAsync(clis);
            await _d.StartProcessAsync();
            await AssertEverythingRunningIsTrackedAsync($"kill after {delay} ms of stops");
            await RemoveAllAndAssertCleanAsync($"kill after {delay} ms of stops");
        }
        await AssertServingAsync();
    }

    [Fact]
    public async Task KillDuringExecs_LeavesNoExecProcessBehind()
    {
        int[] delaysMs = [20, 150, 400];
        foreach (int delay in delaysMs)
        {
            await RunDetachedAsync(5);
            var ids = (await _d.CliAsync("ps", "-q")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var clis = ids.SelectMany(id => new[]
            {
                StartDocker("exec", "-d", id, "sleep", "1000"),
                StartDocker("exec", id, "sh", "-c", "sleep 1000"),
            }).ToList();
            await Task.Delay(delay);
            await _d.KillProcessAsync();
            await EndAllAsync(clis);
            await _d.StartProcessAsync();
            await AssertEverythingRunningIsTrackedAsync($"kill after {delay} ms of execs");
            await RemoveAllAndAssertCleanAsync($"kill after {delay} ms of execs");
        }
        await AssertServingAsync();
    }

    private async Task RunDetachedAsync(int count)
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => _d.CliAsync("run", "-d", Image, "sleep", "1000")));
        foreach (var r in runs)
        {
            Assert.True(r.ExitCode == 0, r.ToString());
        }
    }

    /// <summary>Every id the runtime knows is a container `ps` shows as running, with the pid inspect reports alive.</summary>
    private async Task AssertEverythingRunningIsTrackedAsync(string when)
    {
        var running = (await _d.CliAsync("ps", "-q", "--no-trunc")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var untracked = LeftoverProbe.RuntimeIds(_d).Where(id => !running.Contains(id)).ToList();
        Assert.True(untracked.Count == 0, $"{when}: runtime runs containers ps does not show as running: {string.Join(", ", untracked)}\n{_d.DaemonLog}");
        foreach (string id in running)
        {
            string pid = (await _d.CliAsync("inspect", "--format", "{{.State.Pid}}", id)).Stdout.Trim();
            Assert.True(Directory.Exists("/proc/" + pid), $"{when}: {id} shown as running with pid {pid}, which does not exist");
        }
    }

    private async Task RemoveAllAndAssertCleanAsync(string when)
    {
        var ids = (await _d.CliAsync("ps", "-aq")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var removals = await Task.WhenAll(ids.Select(id => _d.CliAsync("rm", "-f", id)));
        foreach (var r in removals)
        {
            Assert.True(r.ExitCode == 0, $"{when}: {r}");
        }
        Assert.Equal("", (await _d.CliAsync("ps", "-aq")).Stdout.Trim());
        Assert.Empty(await LeftoverProbe.SettledAsync(() => LeftoverProbe.RuntimeIds(_d)));
        var processes = await LeftoverProbe.SettledAsync(() => LeftoverProbe.Processes(_d));
        Assert.True(processes.Count == 0, $"{when}: processes left: {string.Join("; ", processes)}\n{_d.DaemonLog}");
        var cgroups = await LeftoverProbe.SettledAsync(() => LeftoverProbe.Cgroups(_d));
        Assert.True(cgroups.Count == 0, $"{when}: cgroups left: {string.Join(", ", cgroups)}");
        var mounts = LeftoverProbe.Mounts(_d);
        Assert.True(mounts.Count == 0, $"{when}: mounts left: {string.Join(", ", mounts)}");
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_d.DataRoot, "containers")));
    }

    private async Task AssertServingAsync()
    {
        var r = await _d.CliAsync("run", "--rm", Image, "echo", "still serving");
        Assert.True(r.ExitCode == 0 && r.Stdout == "still serving\n", r.ToString());
    }

    private Process StartCli(params string[] args) => Start(RepoPaths.Cli, args, "BULWARK_HOST", _d.Host);

    private Process StartDocker(params string[] args) => Start(RepoPaths.DockerCli, args, "DOCKER_HOST", _d.Host);

    private Process Start(string file, string[] args, string hostVariable, string host)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment[hostVariable] = host;
        psi.Environment["DOCKER_CONFIG"] = Path.Combine(_d.Root, "docker-config");
        var p = Process.Start(psi)!;
        p.StandardInput.Close();
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        return p;
    }

    /// <summary>The clients of a killed daemon end on their own (connection reset); any still waiting is ended.</summary>
    private static async Task EndAllAsync(IEnumerable<Process> processes)
    {
        foreach (var p in processes)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
            }
            p.Dispose();
        }
    }
}
