using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks.RateLimits;

namespace Bulwark.Engine.Tests.Networks.RateLimits;

public sealed class RateLimitTests
{
    [Fact]
    public void Rate_SetsBothDirections_PerDirectionKeysOverrideIt()
    {
        var r = RateLimit.Parse(new Dictionary<string, string> { ["com.bulwark.network.rate"] = "10mbit", ["com.bulwark.network.rate.egress"] = "1.5mbit" });
        Assert.Equal(10_000_000UL, r.IngressBitsPerSecond);
        Assert.Equal(1_500_000UL, r.EgressBitsPerSecond);
        Assert.True(RateLimit.Parse(new Dictionary<string, string>()).IsUnlimited);
    }

    [Theory]
    [InlineData("500kbit", 500_000UL)]
    [InlineData("1Gbit", 1_000_000_000UL)]
    [InlineData("64000bit", 64_000UL)]
    public void ParseRate_AcceptsTcUnits(string text, ulong bits) => Assert.Equal(bits, RateLimit.ParseRate("k", text));

    [Theory]
    [InlineData("fast")]
    [InlineData("10mb")]
    [InlineData("1kbit")]
    [InlineData("-1mbit")]
    public void ParseRate_RefusesOthersNamingTheKey(string text)
    {
        var ex = Assert.Throws<EngineException>(() => RateLimit.ParseRate("com.bulwark.network.rate", text));
        Assert.Contains("com.bulwark.network.rate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenBucket_HasAtLeastSixteenKiBOfBurst()
    {
        Assert.Equal(["qdisc", "replace", "dev", "bv1", "root", "tbf", "rate", "1000000bit", "burst", "16384", "latency", "100ms"],
            TrafficShaper.TbfArgs("bv1", 1_000_000));
        Assert.Equal("2500000", TrafficShaper.TbfArgs("bv1", 1_000_000_000)[9]);
    }
}
