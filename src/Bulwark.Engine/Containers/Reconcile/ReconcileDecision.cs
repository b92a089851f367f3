namespace Bulwark.Engine.Containers.Reconcile;

/// <summary>What daemon start-up does with one container record, given what it finds of the container.</summary>
internal enum ReconcileAction
{
    /// <summary>Its monitor answers: the container runs and is tracked again, whatever the record said.</summary>
    Reattach,

    /// <summary>It ran and is gone: record the exit (the monitor's exit file, or "lost" without one).</summary>
    RecordExit,

    /// <summary>The runtime still has it but no monitor answers: kill it, delete its runtime state, record the exit.</summary>
    KillAndRecordExit,

    /// <summary>A removal was under way: finish it (killing whatever the runtime still runs).</summary>
    FinishRemoval,

    /// <summary>Never started, or its exit is already recorded: nothing runs, keep the record as it is.</summary>
    Keep,

    /// <summary>Its exit is recorded but the runtime still has state of it: delete that state, keep the record.</summary>
    DeleteRuntimeStateAndKeep,
}

/// <summary>The start-up decision table: every record ends tracked, exited or removed, never running unseen.</summary>
internal static class ReconcileDecision
{
    /// <param name="recorded">The state in the record.</param>
    /// <param name="monitorAnswers">Its monitor's socket answered with the running process.</param>
    /// <param name="hasExitFile">The monitor wrote an exit record.</param>
    /// <param name="runtimeKnows">The OCI runtime keeps state for the id.</param>
    public static ReconcileAction Decide(ContainerState recorded, bool monitorAnswers, bool hasExitFile, bool runtimeKnows)
    {
        if (recorded == ContainerState.Removing)
        {
            return ReconcileAction.FinishRemoval;
        }
        if (monitorAnswers)
        {
            return ReconcileAction.Reattach;
        }
        bool wasRunning = recorded is ContainerState.Running or ContainerState.Paused or ContainerState.Restarting
            // A record still saying "created" whose start got as far as the monitor or the runtime: the daemon died
            // between spawning the monitor and saving "running".
            || (recorded == ContainerState.Created && (hasExitFile || runtimeKnows));
        if (wasRunning)
        {
            return runtimeKnows ? ReconcileAction.KillAndRecordExit : ReconcileAction.RecordExit;
        }
        return runtimeKnows ? ReconcileAction.DeleteRuntimeStateAndKeep : ReconcileAction.Keep;
    }
}
