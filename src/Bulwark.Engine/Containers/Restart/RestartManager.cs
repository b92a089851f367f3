using Bulwark.Engine.Errors;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Restart;

/// <summary>
/// Applies restart policies after exits: the container is marked "restarting" at once (so rm without force refuses
/// it) and started again after a growing delay, unless a user stopped or removed it meanwhile.
/// </summary>
internal sealed class RestartManager(
    Func<ContainerHandle, CancellationToken, Task<bool>> restart,
    ContainerEvents events,
    ILogger logger,
    TimeProvider time,
    CancellationToken shutdown)
{
    /// <summary>After an exit: schedules the restart the policy asks for. Returns the scheduled attempt, or null.</summary>
    public Task? OnExit(ContainerHandle entry) => RestartPolicy.ShouldRestart(entry.Record) ? Schedule(entry) : null;

    /// <summary>At daemon start: "always" and "unless-stopped" containers that were not stopped by a user come back.</summary>
    public Task? OnDaemonStart(ContainerHandle entry) => RestartPolicy.RestartsAtDaemonStart(entry.Record) ? Schedule(entry) : null;

    private Task Schedule(ContainerHandle entry)
    {
        var r = entry.Record;
        entry.RestartBackoff = RestartPolicy.NextDelay(entry.RestartBackoff, r.StartedAt, r.FinishedAt);
        TimeSpan delay = entry.RestartBackoff;
        r.State = ContainerState.Restarting;
        return Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, time, shutdown).ConfigureAwait(false);
                if (entry.Forgotten)
                {
                    return;
                }
                int before = r.RestartCount;
                r.RestartCount++;
                if (await restart(entry, shutdown).ConfigureAwait(false))
                {
                    events.Publish(r, "restart");
                }
                else
                {
                    r.RestartCount = before;
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex) when (ex is EngineException or IOException)
            {
                // A start failure already recorded the exit.
                ContainerLog.MonitorFailed(logger, r.Id, "restart failed: " + ex.Message);
            }
        }, CancellationToken.None);
    }
}
