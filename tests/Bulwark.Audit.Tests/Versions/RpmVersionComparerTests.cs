using Bulwark.Audit.Versions;

namespace Bulwark.Audit.Tests.Versions;

/// <summary>Cases from rpm's own rpmvercmp test table (tests/rpmvercmp.at), plus epoch and release handling.</summary>
public sealed class RpmVersionComparerTests
{
    [Theory]
    [InlineData("1.0", "1.0", 0)]
    [InlineData("1.0", "2.0", -1)]
    [InlineData("2.0.1", "2.0", 1)]
    [InlineData("2.0.1a", "2.0.1", 1)]
    [InlineData("5.5p1", "5.5p2", -1)]
    [InlineData("5.5p10", "5.5p1", 1)]
    [InlineData("10xyz", "10.1xyz", -1)]
    [InlineData("xyz10", "xyz10.1", -1)]
    [InlineData("xyz.4", "8", -1)]
    [InlineData("xyz.4", "2", -1)]
    [InlineData("5.6p1", "6.5p1", -1)]
    [InlineData("6.0.rc1", "6.0", 1)]
    [InlineData("10b2", "10a1", 1)]
    [InlineData("1.0a", "1.0aa", -1)]
    [InlineData("10.0001", "10.1", 0)]
    [InlineData("10.0001", "10.0039", -1)]
    [InlineData("4.999.9", "5.0", -1)]
    [InlineData("20101121", "20101122", -1)]
    [InlineData("2.0", "2_0", 0)]
    [InlineData("a+", "a_", 0)]
    [InlineData("_+", "_", 0)]
    [InlineData("1.0~rc1", "1.0", -1)]
    [InlineData("1.0~rc1", "1.0~rc2", -1)]
    [InlineData("1.0~rc1~git123", "1.0~rc1", -1)]
    [InlineData("1.0^", "1.0", 1)]
    [InlineData("1.0^git1", "1.0", 1)]
    [InlineData("1.0^git1", "1.0^git2", -1)]
    [InlineData("1.0^git1", "1.01", -1)]
    [InlineData("1.0^20160101", "1.0.1", -1)]
    [InlineData("1.0^20160102", "1.0^20160101^git1", 1)]
    [InlineData("1.0~rc1^git1", "1.0~rc1", 1)]
    [InlineData("1.0^git1", "1.0^git1~pre", 1)]
    public void VerCmp_RpmTestTable(string a, string b, int expected)
    {
        Assert.Equal(expected, RpmVersionComparer.VerCmp(a, b));
        Assert.Equal(-expected, RpmVersionComparer.VerCmp(b, a));
    }

    [Theory]
    [InlineData("2.0-1.el9", "1:1.0-1.el9")] // the epoch decides first; absent is 0
    [InlineData("0:3.0.7-24.el9", "1:3.0.7-1.el9")]
    [InlineData("3.0.7-24.el9", "3.0.7-25.el9")]
    [InlineData("3.0.7-9.el9", "3.0.7-10.el9")]
    [InlineData("3.0.7-25.el9", "3.0.7-25.el9_3")]
    [InlineData("3.0.7~beta1-1", "3.0.7-1")]
    public void Compare_Evr_OlderSortsFirst(string older, string newer)
    {
        Assert.True(RpmVersionComparer.Instance.Compare(older, newer) < 0, $"{older} < {newer}");
        Assert.True(RpmVersionComparer.Instance.Compare(newer, older) > 0, $"{newer} > {older}");
    }

    [Theory]
    [InlineData("0:1.2-3", "1.2-3")]
    [InlineData("1.2", "1.2-3")] // a missing release does not decide
    public void Compare_Evr_Equal(string a, string b) => Assert.Equal(0, RpmVersionComparer.Instance.Compare(a, b));

    [Theory]
    [InlineData("Red Hat:enterprise_linux:9::baseos")]
    [InlineData("AlmaLinux:9")]
    [InlineData("Rocky Linux:9")]
    [InlineData("openSUSE:Leap 15.5")]
    [InlineData("SUSE:Linux Enterprise Server 15 SP5")]
    public void ForEcosystem_RpmDistributions_UseRpmOrdering(string ecosystem) =>
        Assert.Same(RpmVersionComparer.Instance, VersionComparers.ForEcosystem(ecosystem));
}
