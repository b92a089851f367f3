namespace Bulwark.Engine.Containers.Tasks;

/// <summary>
/// What reacts to a container's run starting and ending (health checks, restart policy, --rm). The task layer calls
/// it; it never calls back into the task layer synchronously, so the dependencies stay one way.
/// </summary>
internal interface IContainerLifecycle
{
    /// <summary>The container runs (<paramref name="resumed"/>: re-attached after a daemon restart).</summary>
    void Started(ContainerHandle handle, bool resumed);

    /// <summary>The exit was recorded and announced; the gate is not held. <paramref name="startFailed"/>: the run never
    /// began (the runtime refused it); restart policies do not apply then.</summary>
    Task ExitedAsync(ContainerHandle handle, bool startFailed);
}
