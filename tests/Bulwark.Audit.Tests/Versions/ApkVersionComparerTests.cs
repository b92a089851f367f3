using Bulwark.Audit.Versions;

namespace Bulwark.Audit.Tests.Versions;

public sealed class ApkVersionComparerTests
{
    [Theory]
    [InlineData("1.2.3-r0", "1.2.3-r1")]
    [InlineData("1.2.3-r9", "1.2.3-r10")]
    [InlineData("1.2.9", "1.2.10")]
    [InlineData("1.2", "1.2.1")]
    [InlineData("1.2", "1.2a")]
    [InlineData("1.2_rc1", "1.2")]
    [InlineData("1.2_alpha", "1.2_beta")]
    [InlineData("1.2_beta2", "1.2_beta10")]
    [InlineData("1.2_pre1", "1.2_rc1")]
    [InlineData("1.2", "1.2_p1")]
    [InlineData("1.2_git20230101", "1.2_p1")]
    [InlineData("1.02", "1.1")]
    [InlineData("3.1.4-r5", "3.1.4_p1-r0")]
    public void Compare_OlderVersion_SortsFirst(string older, string newer)
    {
        Assert.True(ApkVersionComparer.Instance.Compare(older, newer) < 0, $"{older} < {newer}");
        Assert.True(ApkVersionComparer.Instance.Compare(newer, older) > 0, $"{newer} > {older}");
    }

    [Theory]
    [InlineData("1.2.3-r0", "1.2.3")]
    [InlineData("1.36.1-r5", "1.36.1-r5")]
    public void Compare_SameVersion_IsZero(string a, string b) => Assert.Equal(0, ApkVersionComparer.Instance.Compare(a, b));
}
