using Bulwark.Engine.Containers;
using Bulwark.Engine.Containers.Tasks;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Tests.Containers.Fakes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Containers.Tasks;

public sealed class ContainerControlTests
{
    private readonly RecordingRuntime _runtime = new();
    private readonly InMemoryRecordStore _store = new();
    private readonly EventBus _bus = new();
    private readonly ContainerIndex _index;
    private readonly ContainerControl _control;

    public ContainerControlTests()
    {
        _index = new ContainerIndex(_store);
        _control = new ContainerControl(_index, _runtime, new ContainerEvents(_bus), NullLogger.Instance);
    }

    /// <summary>A running container whose process ends on the given signals (the monitor reports the exit).</summary>
    private ContainerHandle Running(params int[] fatalSignals)
    {
        var h = _index.Add(TestRecords.Make(ContainerState.Running));
        _runtime.Known.Add(h.Id);
        _runtime.OnKill = (id, sig) =>
        {
            if (id == h.Id && fatalSignals.Contains(sig))
            {
                h.Record.State = ContainerState.Exited;
                h.Record.ExitCode = 128 + sig;
                h.SignalExit(128 + sig);
            }
        };
        return h;
    }

    [Fact]
    public async Task Stop_SendsTheStopSignal_AndReturnsWhenTheContainerExits()
    {
        var h = Running(15);
        Assert.True(await _control.StopAsync(h.Id, timeoutSeconds: 10, signal: null, CancellationToken.None));
        Assert.Equal(["kill 15"], _runtime.Calls);
        Assert.True(h.Record.ManuallyStopped);
        var actions = _bus.Subscribe().Past.Select(e => e.Action).ToList();
        Assert.Equal(["kill", "stop"], actions);
    }

    [Fact]
    public async Task Stop_OfAProcessIgnoringTheSignal_EscalatesToSigkillAfterTheTimeout()
    {
        var h = Running(9);
        Assert.True(await _control.StopAsync(h.Id, timeoutSeconds: 0, signal: "SIGUSR1", CancellationToken.None));
        Assert.Equal(["kill 10", "kill 9"], _runtime.Calls);
        Assert.Equal(137, await h.NextExit);
    }

    [Fact]
    public async Task Stop_OfAStoppedContainer_ReturnsFalse_AndSignalsNothing()
    {
        var h = _index.Add(TestRecords.Make(ContainerState.Exited));
        Assert.False(await _control.StopAsync(h.Id, null, null, CancellationToken.None));
        Assert.Empty(_runtime.Calls);
    }

    [Fact]
    public async Task Stop_OfARestartingContainer_CancelsTheRestart()
    {
        var h = _index.Add(TestRecords.Make(ContainerState.Restarting));
        Assert.True(await _control.StopAsync(h.Id, null, null, CancellationToken.None));
        Assert.Equal(ContainerState.Exited, h.Record.State);
        Assert.True(h.Record.ManuallyStopped);
        Assert.Empty(_runtime.Calls);
    }

    [Fact]
    public async Task Kill_OfAContainerThatIsNotRunning_IsAConflictNamingIt()
    {
        var h = _index.Add(TestRecords.Make(ContainerState.Created));
        var ex = await Assert.ThrowsAsync<EngineException>(() => _control.KillAsync(h.Id, null, CancellationToken.None));
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
        Assert.Contains(h.Id, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillAndWait_OfAPausedContainer_ThawsItSoTheKillLands()
    {
        var h = Running(); // frozen: the SIGKILL lands only when thawed
        h.Record.State = ContainerState.Paused;
        _runtime.OnResume = _ => h.SignalExit(137);
        await _control.KillAndWaitAsync(h, CancellationToken.None);
        Assert.Equal(["kill 9", "resume"], _runtime.Calls);
    }

    [Fact]
    public async Task Pause_ThenUnpause_GoThroughTheRuntime_AndAreRecorded()
    {
        var h = Running();
        await _control.PauseAsync(h.Id, CancellationToken.None);
        Assert.Equal(ContainerState.Paused, _store.Saved[h.Id].State);
        var again = await Assert.ThrowsAsync<EngineException>(() => _control.PauseAsync(h.Id, CancellationToken.None));
        Assert.Equal(ErrorKind.Conflict, again.Kind);
        await _control.UnpauseAsync(h.Id, CancellationToken.None);
        Assert.Equal(ContainerState.Running, h.Record.State);
        Assert.Equal(["pause", "resume"], _runtime.Calls);
    }

    [Fact]
    public async Task Wait_OnAStoppedContainer_AnswersItsExitCodeAtOnce_AndRemovedWaitsForRemoval()
    {
        var r = TestRecords.Make(ContainerState.Exited);
        r.ExitCode = 3;
        var h = _index.Add(r);
        Assert.Equal(3, await _control.Wait(h.Id, null));
        var removed = _control.Wait(h.Id, "removed");
        Assert.False(removed.IsCompleted);
        h.SignalRemoved(3);
        Assert.Equal(3, await removed);
        Assert.Throws<EngineException>(() => { _ = _control.Wait(h.Id, "sometime"); });
    }
}
