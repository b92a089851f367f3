using Bulwark.Engine.Containers;
using Bulwark.Engine.Containers.Health;
using Bulwark.Engine.Events;
using Bulwark.Engine.Tests.Containers.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Engine.Tests.Containers.Health;

public sealed class HealthMonitorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly EventBus _bus = new();
    private readonly InMemoryRecordStore _store = new();

    /// <summary>A probe whose results the test scripts; each probe waits for the test to release it.</summary>
    private sealed class ScriptedProbe(FakeTimeProvider time) : IHealthProbe
    {
        public Queue<int> ExitCodes { get; } = new();

        public SemaphoreSlim Probed { get; } = new(0);

        public Task<HealthProbeResult> ProbeAsync(ContainerRecord r, HealthcheckSpec spec, CancellationToken ct)
        {
            int code = ExitCodes.Count > 0 ? ExitCodes.Dequeue() : 0;
            Probed.Release();
            return Task.FromResult(new HealthProbeResult(time.GetUtcNow(), time.GetUtcNow(), code, code == 0 ? "ok" : "failed"));
        }
    }

    private (ContainerHandle Handle, ScriptedProbe Probe, HealthMonitor Monitor) Start(HealthcheckSpec spec)
    {
        var index = new ContainerIndex(_store);
        var record = TestRecords.Make(ContainerState.Running, new ContainerSpec { Image = "i", Healthcheck = spec });
        record.StartedAt = _time.GetUtcNow();
        var handle = index.Add(record);
        var probe = new ScriptedProbe(_time);
        var monitor = new HealthMonitor(index, probe, _ => null, new ContainerEvents(_bus), _time, CancellationToken.None);
        monitor.Start(handle);
        return (handle, probe, monitor);
    }

    private async Task TickAsync(ScriptedProbe probe, TimeSpan interval)
    {
        // The loop must be waiting on the fake clock before it is advanced.
        for (int i = 0; i < 200; i++)
        {
            _time.Advance(interval);
            if (await probe.Probed.WaitAsync(TimeSpan.FromMilliseconds(20)))
            {
                await Task.Delay(20); // the loop records the result after the probe returns
                return;
            }
        }
        Assert.Fail("no probe ran");
    }

    [Fact]
    public async Task ASucceedingProbe_MakesTheContainerHealthy_AndSaysSoOnce()
    {
        var spec = new HealthcheckSpec { Command = ["CMD", "true"], Interval = TimeSpan.FromSeconds(1) };
        var (h, probe, _) = Start(spec);
        Assert.Equal("starting", h.Record.Health!.Status);
        await TickAsync(probe, spec.Interval);
        Assert.Equal("healthy", h.Record.Health!.Status);
        await TickAsync(probe, spec.Interval);
        Assert.Single(_bus.Subscribe().Past, e => e.Action == "health_status: healthy");
        Assert.True(_store.Saves >= 1, "a health change is persisted");
        HealthMonitor.Stop(h);
    }

    [Fact]
    public async Task RetriesFailuresInARow_MakeItUnhealthy_AndASuccessResetsTheStreak()
    {
        var spec = new HealthcheckSpec { Command = ["CMD", "false"], Interval = TimeSpan.FromSeconds(1), Retries = 3 };
        var (h, probe, _) = Start(spec);
        foreach (int code in new[] { 1, 1, 1, 0 })
        {
            probe.ExitCodes.Enqueue(code);
        }
        await TickAsync(probe, spec.Interval);
        await TickAsync(probe, spec.Interval);
        Assert.Equal("starting", h.Record.Health!.Status);
        Assert.Equal(2, h.Record.Health.FailingStreak);
        await TickAsync(probe, spec.Interval);
        Assert.Equal("unhealthy", h.Record.Health!.Status);
        await TickAsync(probe, spec.Interval);
        Assert.Equal("healthy", h.Record.Health!.Status);
        Assert.Equal(0, h.Record.Health.FailingStreak);
        Assert.Equal(4, h.Record.Health.Log.Count);
        HealthMonitor.Stop(h);
    }

    [Fact]
    public async Task FailuresDuringTheStartPeriod_DoNotCount()
    {
        var spec = new HealthcheckSpec
        {
            Command = ["CMD", "false"], Interval = TimeSpan.FromSeconds(1), Retries = 1, StartPeriod = TimeSpan.FromSeconds(5),
        };
        var (h, probe, _) = Start(spec);
        probe.ExitCodes.Enqueue(1);
        await TickAsync(probe, spec.Interval);
        Assert.Equal("starting", h.Record.Health!.Status);
        Assert.Equal(0, h.Record.Health.FailingStreak);
        HealthMonitor.Stop(h);
    }
}
