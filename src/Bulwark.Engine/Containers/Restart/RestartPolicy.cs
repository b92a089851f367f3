namespace Bulwark.Engine.Containers.Restart;

/// <summary>Docker's restart policies as pure decisions: whether an exit restarts, and the delay before it.</summary>
internal static class RestartPolicy
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);

    /// <summary>A run this long resets the back-off.</summary>
    public static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    /// <summary>Whether the exit just recorded restarts the container.</summary>
    public static bool ShouldRestart(ContainerRecord r)
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

    /// <summary>Whether a container found exited at daemon start comes back ("always"/"unless-stopped", not stopped by a user).</summary>
    public static bool RestartsAtDaemonStart(ContainerRecord r) =>
        r.State == ContainerState.Exited && !r.ManuallyStopped && r.Spec.Restart.Name is "always" or "unless-stopped";

    /// <summary>The next delay: doubled from the previous one up to a minute, back to the first after a stable run.</summary>
    public static TimeSpan NextDelay(TimeSpan previous, DateTimeOffset? startedAt, DateTimeOffset? finishedAt)
    {
        bool ranLong = startedAt is { } s && finishedAt is { } f && f - s >= StableRun;
        if (ranLong || previous == TimeSpan.Zero)
        {
            return FirstDelay;
        }
        return TimeSpan.FromTicks(Math.Min(previous.Ticks * 2, MaxDelay.Ticks));
    }
}
