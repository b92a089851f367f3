using Bulwark.Engine.Containers;
using Bulwark.Engine.Containers.Restart;
using Bulwark.Engine.Tests.Containers.Fakes;

namespace Bulwark.Engine.Tests.Containers.Restart;

public sealed class RestartPolicyTests
{
    private static ContainerRecord Exited(string policy, int exitCode, int maxRetries = 0, int restarts = 0, bool manual = false)
    {
        var r = TestRecords.Make(ContainerState.Exited, new ContainerSpec
        {
            Image = "i",
            Restart = new RestartPolicySpec { Name = policy, MaximumRetryCount = maxRetries },
        });
        r.ExitCode = exitCode;
        r.RestartCount = restarts;
        r.ManuallyStopped = manual;
        return r;
    }

    [Theory]
    [InlineData("no", 1, false)]
    [InlineData("always", 0, true)]
    [InlineData("unless-stopped", 0, true)]
    [InlineData("on-failure", 0, false)]
    [InlineData("on-failure", 3, true)]
    public void ExitRestarts_AsTheDockerPolicySays(string policy, int exitCode, bool restarts) =>
        Assert.Equal(restarts, RestartPolicy.ShouldRestart(Exited(policy, exitCode)));

    [Fact]
    public void OnFailure_StopsAfterItsMaximumRetryCount()
    {
        Assert.True(RestartPolicy.ShouldRestart(Exited("on-failure", 1, maxRetries: 3, restarts: 2)));
        Assert.False(RestartPolicy.ShouldRestart(Exited("on-failure", 1, maxRetries: 3, restarts: 3)));
    }

    [Fact]
    public void AContainerStoppedByAUser_NeverRestarts() =>
        Assert.False(RestartPolicy.ShouldRestart(Exited("always", 1, manual: true)));

    [Fact]
    public void AtDaemonStart_OnlyAlwaysAndUnlessStopped_ComeBack()
    {
        Assert.True(RestartPolicy.RestartsAtDaemonStart(Exited("always", 0)));
        Assert.True(RestartPolicy.RestartsAtDaemonStart(Exited("unless-stopped", 0)));
        Assert.False(RestartPolicy.RestartsAtDaemonStart(Exited("on-failure", 1)));
        Assert.False(RestartPolicy.RestartsAtDaemonStart(Exited("unless-stopped", 0, manual: true)));
    }

    [Fact]
    public void Delay_DoublesUpToAMinute_AndResetsAfterAStableRun()
    {
        var start = DateTimeOffset.UnixEpoch;
        var shortRun = start + TimeSpan.FromSeconds(1);
        var d = TimeSpan.Zero;
        var seen = new List<TimeSpan>();
        for (int i = 0; i < 12; i++)
        {
            d = RestartPolicy.NextDelay(d, start, shortRun);
            seen.Add(d);
        }
        Assert.Equal(TimeSpan.FromMilliseconds(100), seen[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), seen[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(400), seen[2]);
        Assert.Equal(TimeSpan.FromMinutes(1), seen[^1]);
        Assert.Equal(TimeSpan.FromMilliseconds(100), RestartPolicy.NextDelay(d, start, start + TimeSpan.FromSeconds(10)));
    }
}
