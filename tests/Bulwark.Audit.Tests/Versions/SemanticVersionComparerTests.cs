using Bulwark.Audit.Versions;

namespace Bulwark.Audit.Tests.Versions;

public sealed class SemanticVersionComparerTests
{
    [Theory]
    [InlineData("v1.2.3", "v1.10.0")]
    [InlineData("1.0.0-alpha", "1.0.0")]
    [InlineData("1.0.0-alpha.1", "1.0.0-alpha.beta")]
    [InlineData("v0.0.0-20230101000000-abcdefabcdef", "v0.1.0")]
    [InlineData("1.21.3", "1.21.10")]
    [InlineData("go1.20", "go1.20.1")]
    public void Compare_OlderVersion_SortsFirst(string older, string newer)
    {
        Assert.True(SemanticVersionComparer.Instance.Compare(older, newer) < 0, $"{older} < {newer}");
        Assert.True(SemanticVersionComparer.Instance.Compare(newer, older) > 0, $"{newer} > {older}");
    }

    [Fact]
    public void Compare_BuildMetadata_Ignored() => Assert.Equal(0, SemanticVersionComparer.Instance.Compare("1.0.0+abc", "v1.0.0"));

    [Theory]
    [InlineData("Debian:12", typeof(DebianVersionComparer))]
    [InlineData("Ubuntu:22.04:LTS", typeof(DebianVersionComparer))]
    [InlineData("Alpine:v3.18", typeof(ApkVersionComparer))]
    [InlineData("Go", typeof(SemanticVersionComparer))]
    [InlineData("crates.io", typeof(SemanticVersionComparer))]
    public void ForEcosystem_KnownEcosystem_ChoosesItsOrdering(string ecosystem, Type expected) =>
        Assert.IsType(expected, VersionComparers.ForEcosystem(ecosystem));

    [Fact]
    public void ForEcosystem_UnknownEcosystem_IsNull() => Assert.Null(VersionComparers.ForEcosystem("Hackage"));
}
