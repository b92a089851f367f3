using Bulwark.Engine.Containers;
using Bulwark.Engine.Containers.Reconcile;

namespace Bulwark.Engine.Tests.Containers.Reconcile;

public sealed class ReconcileDecisionTests
{
    [Theory]
    [InlineData(ContainerState.Created)]
    [InlineData(ContainerState.Running)]
    [InlineData(ContainerState.Exited)]
    [InlineData(ContainerState.Restarting)]
    public void AnsweringMonitor_IsReattached_WhateverTheRecordSays(ContainerState recorded) =>
        Assert.Equal(ReconcileAction.Reattach, ReconcileDecision.Decide(recorded, monitorAnswers: true, hasExitFile: false, runtimeKnows: true));

    [Fact]
    public void CreatedRecord_TheRuntimeRunsWithoutAMonitor_IsKilledAndItsExitRecorded() =>
        // The crash this table exists for: the daemon died between spawning the monitor and saving "running".
        Assert.Equal(ReconcileAction.KillAndRecordExit,
            ReconcileDecision.Decide(ContainerState.Created, monitorAnswers: false, hasExitFile: false, runtimeKnows: true));

    [Fact]
    public void CreatedRecord_WithAnExitFile_RanWhileTheDaemonWasAway_AndItsExitIsRecorded() =>
        Assert.Equal(ReconcileAction.RecordExit,
            ReconcileDecision.Decide(ContainerState.Created, monitorAnswers: false, hasExitFile: true, runtimeKnows: false));

    [Fact]
    public void CreatedRecord_WithNoTraceOfAStart_IsKept() =>
        Assert.Equal(ReconcileAction.Keep,
            ReconcileDecision.Decide(ContainerState.Created, monitorAnswers: false, hasExitFile: false, runtimeKnows: false));

    [Theory]
    [InlineData(ContainerState.Running)]
    [InlineData(ContainerState.Paused)]
    [InlineData(ContainerState.Restarting)]
    public void RunningRecord_WhoseMonitorIsGone_ButTheRuntimeStillHasIt_IsKilled(ContainerState recorded) =>
        Assert.Equal(ReconcileAction.KillAndRecordExit, ReconcileDecision.Decide(recorded, false, false, runtimeKnows: true));

    [Fact]
    public void RunningRecord_ThatExitedWhileTheDaemonWasAway_GetsItsExitRecorded() =>
        Assert.Equal(ReconcileAction.RecordExit, ReconcileDecision.Decide(ContainerState.Running, false, hasExitFile: true, runtimeKnows: false));

    [Fact]
    public void ExitedRecord_WithRuntimeStateLeft_HasThatStateDeleted() =>
        Assert.Equal(ReconcileAction.DeleteRuntimeStateAndKeep, ReconcileDecision.Decide(ContainerState.Exited, false, false, runtimeKnows: true));

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void RemovingRecord_FinishesItsRemoval_EvenWithAMonitorAlive(bool monitorAnswers, bool runtimeKnows) =>
        Assert.Equal(ReconcileAction.FinishRemoval, ReconcileDecision.Decide(ContainerState.Removing, monitorAnswers, false, runtimeKnows));

    [Fact]
    public void NoCombination_LeavesAContainerTheRuntimeRunsUntracked()
    {
        foreach (var state in Enum.GetValues<ContainerState>())
        {
            foreach (bool exit in new[] { false, true })
            {
                var action = ReconcileDecision.Decide(state, monitorAnswers: false, hasExitFile: exit, runtimeKnows: true);
                Assert.True(action is ReconcileAction.KillAndRecordExit or ReconcileAction.DeleteRuntimeStateAndKeep or ReconcileAction.FinishRemoval,
                    $"{state}, exit file {exit}: {action} leaves the runtime's container alone");
            }
        }
    }
}
