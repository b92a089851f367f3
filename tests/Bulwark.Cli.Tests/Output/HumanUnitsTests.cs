using Bulwark.Cli.Output;

namespace Bulwark.Cli.Tests.Output;

public sealed class HumanUnitsTests
{
    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(45, "45 seconds")]
    [InlineData(90, "About a minute")]
    [InlineData(150, "2 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(5 * 3600, "5 hours")]
    [InlineData(3 * 86400, "3 days")]
    [InlineData(20 * 86400, "2 weeks")]
    [InlineData(90 * 86400, "3 months")]
    [InlineData(800 * 86400, "2 years")]
    public void Duration_Seconds_GoUnitsText(double seconds, string expected) =>
        Assert.Equal(expected, HumanUnits.Duration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1982305, "1.98MB")]
    [InlineData(4200000, "4.2MB")]
    [InlineData(123456789, "123MB")]
    [InlineData(5_000_000_000, "5GB")]
    public void Size_Bytes_DecimalThreeDigits(double bytes, string expected) => Assert.Equal(expected, HumanUnits.Size(bytes));

    [Fact]
    public void Ellipsis_LongCommand_TruncatedTo20() =>
        Assert.Equal("sh -c 'trap \"exit 7…", HumanUnits.Ellipsis("sh -c 'trap \"exit 7\" TERM; while :; do sleep 1; done'", 20));
}
