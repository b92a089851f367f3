using Bulwark.Cli.Parsing;

namespace Bulwark.Cli.Tests.Parsing;

public sealed class ByteSizeParserTests
{
    [Theory]
    [InlineData("64m", 67108864)]
    [InlineData("64M", 67108864)]
    [InlineData("64mb", 67108864)]
    [InlineData("1g", 1073741824)]
    [InlineData("1.5g", 1610612736)]
    [InlineData("10k", 10240)]
    [InlineData("512", 512)]
    [InlineData("512b", 512)]
    [InlineData("2MiB", 2097152)]
    public void Parse_DockerUnits_Binary(string text, long expected) => Assert.Equal(expected, ByteSizeParser.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("64x")]
    [InlineData("-1")]
    public void Parse_Garbage_Throws(string text) => Assert.Throws<FormatException>(() => ByteSizeParser.Parse(text));

    [Theory]
    [InlineData("0.5", 500_000_000)]
    [InlineData("2", 2_000_000_000)]
    [InlineData("0.000000001", 1)]
    public void ParseNanoCpus_Decimal_Nanos(string text, long expected) => Assert.Equal(expected, CpuParser.ParseNanoCpus(text));

    [Fact]
    public void ParseNanoCpus_TooPrecise_Throws() => Assert.Throws<FormatException>(() => CpuParser.ParseNanoCpus("0.0000000001"));
}
