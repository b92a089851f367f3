using System.Text.Json;
using Bulwark.Cli.Commands;

namespace Bulwark.Cli.Tests.Commands;

public sealed class EventsCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("10m", "1796291400.000000000")]
    [InlineData("1h30m", "1796286600.000000000")]
    [InlineData("0s", "1796292000.000000000")]
    [InlineData("2026-12-03T09:00:00Z", "1796288400.000000000")]
    [InlineData("1796292000", "1796292000")]
    [InlineData("1796292000.5", "1796292000.5")]
    public void Timestamp_AcceptsDockersForms(string value, string expected) =>
        Assert.Equal(expected, EventsCommand.Timestamp(value, Now, "--since"));

    [Fact]
    public void Timestamp_Nonsense_Exit125NamingTheFlag()
    {
        var ex = Assert.Throws<CliException>(() => EventsCommand.Timestamp("soon", Now, "--until"));
        Assert.Equal(125, ex.ExitCode);
        Assert.Contains("--until", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_IsDockersLineWithSortedAttributes()
    {
        var e = JsonDocument.Parse("""
            {"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":"web","image":"busybox"}},"time":1796292000,"timeNano":1796292000123456789}
            """).RootElement;
        Assert.Equal("2026-12-03T10:00:00.123456789Z container start abc (image=busybox, name=web)", EventsCommand.Render(e));
    }
}
