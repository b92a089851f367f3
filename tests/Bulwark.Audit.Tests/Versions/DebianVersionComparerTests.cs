using Bulwark.Audit.Versions;

namespace Bulwark.Audit.Tests.Versions;

public sealed class DebianVersionComparerTests
{
    [Theory]
    [InlineData("1.0", "1.1")]
    [InlineData("1.2.3", "1.10")]
    [InlineData("1.0~rc1", "1.0")]
    [InlineData("1.0~~", "1.0~")]
    [InlineData("1.0", "1.0+deb12u1")]
    [InlineData("1.0-1", "1.0-2")]
    [InlineData("1.0-9", "1.0-10")]
    [InlineData("2.0", "1:1.0")]
    [InlineData("1:9.9", "2:0.1")]
    [InlineData("3.0.11-1~deb12u1", "3.0.11-1~deb12u2")]
    [InlineData("3.0.11-1~deb12u2", "3.0.11-1")]
    [InlineData("1.0a", "1.0b")]
    [InlineData("1.0", "1.0a")]
    public void Compare_OlderVersion_SortsFirst(string older, string newer)
    {
        Assert.True(DebianVersionComparer.Instance.Compare(older, newer) < 0, $"{older} < {newer}");
        Assert.True(DebianVersionComparer.Instance.Compare(newer, older) > 0, $"{newer} > {older}");
    }

    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("0:1.0", "1.0")]
    [InlineData("1.01", "1.1")]
    [InlineData("1.0-0", "1.0-0")]
    public void Compare_SameVersion_IsZero(string a, string b) => Assert.Equal(0, DebianVersionComparer.Instance.Compare(a, b));
}
