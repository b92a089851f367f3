using Bulwark.Engine.Containers;
using Bulwark.Engine.Containers.Restart;
using Bulwark.Engine.Events;
using Bulwark.Engine.Tests.Containers.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Engine.Tests.Containers.Restart;

public sealed class RestartManagerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly EventBus _bus = new();
    private readonly List<string> _starts = [];

    private RestartManager Manager(bool startSucceeds = true) => new(
        (h, _) =>
        {
            lock (_starts)
            {
                _starts.Add(h.Id);
            }
            return Task.FromResult(startSucceeds);
        },
        new ContainerEvents(_bus), NullLogger.Instance, _time, CancellationToken.None);

    /// <summary>Advances the fake clock until the attempt ends (its delay may not be registered yet).</summary>
    private async Task AdvanceUntilDoneAsync(Task attempt)
    {
        for (int i = 0; i < 500 && !attempt.IsCompleted; i++)
        {
            _time.Advance(RestartPolicy.FirstDelay);
            await Task.WhenAny(attempt, Task.Delay(10));
        }
        Assert.True(attempt.IsCompleted, "the restart attempt never ended");
        await attempt;
    }

    private static ContainerHandle Handle(string policy, int exitCode)
    {
        var r = TestRecords.Make(ContainerState.Exited, new ContainerSpec { Image = "i", Restart = new RestartPolicySpec { Name = policy } });
        r.ExitCode = exitCode;
        return new ContainerHandle(r);
    }

    [Fact]
    public async Task AnExitUnderAlways_MarksRestartingAtOnce_AndStartsAfterTheFirstDelay()
    {
        var h = Handle("always", 0);
        var attempt = Manager().OnExit(h);
        Assert.NotNull(attempt);
        Assert.Equal(ContainerState.Restarting, h.Record.State);
        await Task.Delay(50);
        Assert.Empty(_starts); // the delay has not passed on the fake clock
        await AdvanceUntilDoneAsync(attempt);
        Assert.Equal([h.Id], _starts);
        Assert.Equal(1, h.Record.RestartCount);
        Assert.Contains(_bus.Subscribe().Past, e => e.Action == "restart" && e.ActorId == h.Id);
    }

    [Fact]
    public void AnExitUnderNo_SchedulesNothing()
    {
        var h = Handle("no", 1);
        Assert.Null(Manager().OnExit(h));
        Assert.Equal(ContainerState.Exited, h.Record.State);
    }

    [Fact]
    public async Task AContainerRemovedDuringTheDelay_IsNotStarted()
    {
        var h = Handle("always", 0);
        var attempt = Manager().OnExit(h)!;
        h.Forget();
        await AdvanceUntilDoneAsync(attempt);
        Assert.Empty(_starts);
    }

    [Fact]
    public async Task ARestartThatDidNotHappen_DoesNotCount()
    {
        var h = Handle("always", 0);
        var attempt = Manager(startSucceeds: false).OnExit(h)!;
        await AdvanceUntilDoneAsync(attempt);
        Assert.Equal(0, h.Record.RestartCount);
        Assert.DoesNotContain(_bus.Subscribe().Past, e => e.Action == "restart");
    }
}
