using System.Text;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Containers;

/// <summary>Health checks: the configured command runs as an exec every interval; Retries failures in a row = unhealthy.</summary>
public sealed partial class ContainerService
{
    private const int HealthLogEntries = 5;
    private const int HealthOutputLimit = 4096;

    /// <summary>Starts the probe loop; <paramref name="resume"/> (re-attach after a daemon restart) keeps the recorded health.</summary>
    private void StartHealthChecks(Entry entry, bool resume = false)
    {
        var spec = entry.Record.Spec.Healthcheck ?? ImageHealthcheck(entry.Record.ImageId);
        if (spec is null || spec.Command[0] == "NONE")
        {
            return;
        }
        StopHealthChecks(entry);
        if (!resume || entry.Record.Health is null)
        {
            entry.Record.Health = new HealthState();
        }
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        entry.HealthChecks = cts;
        _ = Task.Run(() => HealthLoopAsync(entry, spec, cts.Token), CancellationToken.None);
    }

    private static void StopHealthChecks(Entry entry)
    {
        var cts = entry.HealthChecks;
        entry.HealthChecks = null;
        if (cts is not null)
        {
            cts.Cancel();
            cts.Dispose();
        }
    }

    private async Task HealthLoopAsync(Entry entry, HealthcheckSpec spec, CancellationToken ct)
    {
        var r = entry.Record;
        var startedAt = r.StartedAt ?? DateTimeOffset.UtcNow; // the start period counts from the container's start
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(spec.Interval, ct).ConfigureAwait(false);
                if (r.State != ContainerState.Running)
                {
                    continue;
                }
                var result = await ProbeAsync(r, spec, ct).ConfigureAwait(false);
                // A new state object each time: inspect and record saves read it on other threads.
                var before = r.Health ?? new HealthState();
                var health = new HealthState
                {
                    Status = before.Status,
                    FailingStreak = before.FailingStreak,
                    Log = [.. before.Log.Append(result).TakeLast(HealthLogEntries)],
                };
                if (result.ExitCode == 0)
                {
                    health.FailingStreak = 0;
                    health.Status = "healthy";
                }
                else if (DateTimeOffset.UtcNow - startedAt >= spec.StartPeriod)
                {
                    // Failures during the start period do not count.
                    health.FailingStreak++;
                    if (health.FailingStreak >= spec.Retries)
                    {
                        health.Status = "unhealthy";
                    }
                }
                r.Health = health;
                if (health.Status != before.Status)
                {
                    Publish(r, "health_status: " + health.Status);
                    await SaveIfRunningAsync(entry, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Persists a health change (so it survives a daemon restart) unless the container stopped meanwhile.</summary>
    private async Task SaveIfRunningAsync(Entry entry, CancellationToken ct)
    {
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (entry.Record.State == ContainerState.Running && _entries.ContainsKey(entry.Record.Id))
            {
                _store.SaveRunState(entry.Record);
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<HealthProbeResult> ProbeAsync(ContainerRecord r, HealthcheckSpec spec, CancellationToken ct)
    {
        var start = DateTimeOffset.UtcNow;
        IReadOnlyList<string> cmd = spec.Command[0] == "CMD-SHELL"
            ? ["/bin/sh", "-c", string.Join(' ', spec.Command.Skip(1))]
            : [.. spec.Command.Skip(1)];
        try
        {
            var exec = CreateExec(r.Id, new ExecSpec { Cmd = cmd });
            using var session = exec.Streams.Attach(stdin: false, stdout: true, stderr: true);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(spec.Timeout);
            Task<int> exited = await StartExecAsync(exec.Id, timeout.Token).ConfigureAwait(false);
            var output = new StringBuilder();
            try
            {
                await foreach (var (_, data) in session.Output.ReadAllAsync(timeout.Token).ConfigureAwait(false))
                {
                    if (output.Length < HealthOutputLimit)
                    {
                        output.Append(Encoding.UTF8.GetString(data));
                    }
                }
                int code = await exited.WaitAsync(timeout.Token).ConfigureAwait(false);
                return new HealthProbeResult(start, DateTimeOffset.UtcNow, code, Truncate(output));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (exec.Pid > 0)
                {
                    try
                    {
                        Native.ProcessSignals.Kill(exec.Pid, 9);
                    }
                    catch (IOException)
                    {
                    }
                }
                return new HealthProbeResult(start, DateTimeOffset.UtcNow, -1,
                    $"Health check exceeded timeout ({spec.Timeout.TotalSeconds}s)");
            }
        }
        catch (EngineException ex)
        {
            return new HealthProbeResult(start, DateTimeOffset.UtcNow, -1, ex.Message);
        }
    }

    /// <summary>The image's HEALTHCHECK when the container sets none (Docker's defaults for unset timings).</summary>
    private HealthcheckSpec? ImageHealthcheck(string imageId)
    {
        var h = _images.TryResolve(imageId)?.Config.Healthcheck;
        if (h is null || h.Test.Count == 0 || (h.Test[0] is not ("CMD" or "CMD-SHELL" or "NONE")))
        {
            return null;
        }
        return new HealthcheckSpec
        {
            Command = h.Test,
            Interval = h.IntervalNs > 0 ? TimeSpan.FromTicks(h.IntervalNs / 100) : TimeSpan.FromSeconds(30),
            Timeout = h.TimeoutNs > 0 ? TimeSpan.FromTicks(h.TimeoutNs / 100) : TimeSpan.FromSeconds(30),
            StartPeriod = TimeSpan.FromTicks(h.StartPeriodNs / 100),
            Retries = h.Retries > 0 ? h.Retries : 3,
        };
    }

    private static string Truncate(StringBuilder sb) => sb.Length > HealthOutputLimit ? sb.ToString(0, HealthOutputLimit) : sb.ToString();
}
