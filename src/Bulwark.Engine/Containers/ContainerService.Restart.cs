namespace Bulwark.Engine.Containers;

/// <summary>Restart policies, as Docker applies them: a growing delay between restarts, reset after 10 s of running.</summary>
public sealed partial class ContainerService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    private static bool ShouldRestart(ContainerRecord r)
    {
        if (r.ManuallyStopped || r.State == ContainerState.Removing)
        {
            return false;
        }
        return r.Spec.Restart.Name switch
        {
            "always" or "unless-stopped" => true,
            "on-failure" => r.ExitCode != 0 && (r.Spec.Restart.MaximumRetryCount <= 0 || r.RestartCount < r.Spec.Restart.MaximumRetryCount),
            _ => false,
        };
    }

    private void ScheduleRestart(Entry entry)
    {
        var r = entry.Record;
        bool ranLong = r.StartedAt is { } s && r.FinishedAt is { } f && f - s >= StableRun;
        if (ranLong)
        {
            entry.RestartBackoff = TimeSpan.Zero;
        }
        entry.RestartBackoff = entry.RestartBackoff == TimeSpan.Zero ? FirstDelay : TimeSpan.FromTicks(Math.Min(entry.RestartBackoff.Ticks * 2, MaxDelay.Ticks));
        TimeSpan delay = entry.RestartBackoff;
        r.State = ContainerState.Restarting;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, _shutdown.Token).ConfigureAwait(false);
                if (!_entries.ContainsKey(r.Id))
                {
                    return;
                }
                int before = r.RestartCount;
                r.RestartCount++;
                if (await StartAsync(r.Id, restart: true, _shutdown.Token).ConfigureAwait(false))
                {
                    Publish(r, "restart");
                }
                else
                {
                    r.RestartCount = before;
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex) when (ex is Errors.EngineException or IOException)
            {
                // A start failure already recorded the exit (and may schedule the next attempt).
                LogMonitorFailed(_logger, r.Id, "restart failed: " + ex.Message);
            }
        }, CancellationToken.None);
    }

    /// <summary>On daemon start, containers with "always" that were not stopped by a user come back (Docker's behaviour).</summary>
    private void RestartAfterDaemonStart(Entry entry)
    {
        var r = entry.Record;
        if (r.State == ContainerState.Exited && !r.ManuallyStopped && r.Spec.Restart.Name is "always" or "unless-stopped")
        {
            ScheduleRestart(entry);
        }
    }
}
