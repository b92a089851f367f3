
namespace Bulwark.Engine.Containers.Health;

/// <summary>Health checks: the configured command runs as an exec every interval; Retries failures in a row = unhealthy.</summary>
internal sealed class HealthMonitor(
    ContainerIndex index,
    IHealthProbe probe,
    Func<string, HealthcheckSpec?> imageHealthcheck,
    ContainerEvents events,
    TimeProvider time,
    CancellationToken shutdown)
{
    private const int HealthLogEntries = 5;

    /// <summary>Starts the probe loop; <paramref name="resume"/> (re-attach after a daemon restart) keeps the recorded health.</summary>
    public void Start(ContainerHandle entry, bool resume = false)
    {
        var spec = entry.Record.Spec.Healthcheck ?? imageHealthcheck(entry.Record.ImageId);
        if (spec is null || spec.Command[0] == "NONE")
        {
            return;
        }
        Stop(entry);
        if (!resume || entry.Record.Health is null)
        {
            entry.Record.Health = new HealthState();
        }
        var cts = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        entry.HealthChecks = cts;
        _ = Task.Run(() => HealthLoopAsync(entry, spec, cts.Token), CancellationToken.None);
    }

    public static void Stop(ContainerHandle entry)
    {
        var cts = entry.HealthChecks;
        entry.HealthChecks = null;
        if (cts is not null)
        {
            cts.Cancel();
            cts.Dispose();
        }
    }

    private async Task HealthLoopAsync(ContainerHandle entry, HealthcheckSpec spec, CancellationToken ct)
    {
        var r = entry.Record;
        var startedAt = r.StartedAt ?? time.GetUtcNow(); // the start period counts from the container's start
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(spec.Interval, time, ct).ConfigureAwait(false);
                if (r.State != ContainerState.Running)
                {
                    continue;
                }
                var result = await probe.ProbeAsync(r, spec, ct).ConfigureAwait(false);
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
                else if (time.GetUtcNow() - startedAt >= spec.StartPeriod)
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
                    events.Publish(r, "health_status: " + health.Status);
                    await SaveIfRunningAsync(entry, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Persists a health change (so it survives a daemon restart) unless the container stopped meanwhile.</summary>
    private async Task SaveIfRunningAsync(ContainerHandle entry, CancellationToken ct)
    {
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (entry.Record.State == ContainerState.Running)
            {
                index.Save(entry, durable: false);
            }
        }
    }

}
