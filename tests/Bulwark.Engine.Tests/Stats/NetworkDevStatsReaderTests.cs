using Bulwark.Engine.Stats;

namespace Bulwark.Engine.Tests.Stats;

public sealed class NetworkDevStatsReaderTests
{
    [Fact]
    public void Parse_ReadsEachInterfaceButLoopback_InDockersFields()
    {
        const string text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
              eth0:1234567890    900    1    2    0     0          0         0     5555      40    3    4    0     0       0          0
            """;
        var result = NetworkDevStatsReader.Parse(text.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal(["eth0"], result.Keys);
        Assert.Equal(new InterfaceCounters(1234567890, 900, 1, 2, 5555, 40, 3, 4), result["eth0"]);
    }

    [Fact]
    public void Read_OwnProcess_HasNoLoopback_AndAGoneProcessIsEmpty()
    {
        Assert.DoesNotContain("lo", NetworkDevStatsReader.Read(Environment.ProcessId).Keys);
        Assert.Empty(NetworkDevStatsReader.Read(0));
    }
}
