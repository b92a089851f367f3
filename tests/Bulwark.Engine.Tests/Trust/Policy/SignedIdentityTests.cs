using Bulwark.Engine.Images;
using Bulwark.Engine.Trust.Policy;

namespace Bulwark.Engine.Tests.Trust.Policy;

/// <summary>policy.json signedIdentity rules, as containers-policy.json(5) defines them.</summary>
public sealed class SignedIdentityTests
{
    private const string Digest = "sha256:4499e7329281939592f8bee513dd0707a6c76c77f3e9161b075274ba869baf2b";

    private static bool Accepts(SignedIdentity id, string image, string signed) => id.Accepts(ImageReference.Parse(image), ImageReference.Parse(signed));

    [Theory]
    [InlineData("r.example/app:v1", "r.example/app:v1", true)]
    [InlineData("r.example/app:v2", "r.example/app:v1", false)] // A13: a v1 signature does not vouch for v2
    [InlineData("r.example/app@" + Digest, "r.example/app:v1", true)]
    [InlineData("r.example/other@" + Digest, "r.example/app:v1", false)]
    [InlineData("r.example/app:v1", "r.example/app", false)]
    public void MatchRepoDigestOrExact_TheDefault(string image, string signed, bool expected)
    {
        Assert.Equal(expected, Accepts(SignedIdentity.Default, image, signed));
    }

    [Theory]
    [InlineData("r.example/app:v1", "r.example/app:v1", true)]
    [InlineData("r.example/app@" + Digest, "r.example/app:v1", false)]
    public void MatchExact(string image, string signed, bool expected)
    {
        Assert.Equal(expected, Accepts(new SignedIdentity(SignedIdentityKind.MatchExact), image, signed));
    }

    [Theory]
    [InlineData("r.example/app:v2", "r.example/app", true)]
    [InlineData("r.example/app:v2", "r.example/app:v1", true)]
    [InlineData("r.example/other:v1", "r.example/app", false)]
    public void MatchRepository_AcceptsCosignsTaglessIdentity(string image, string signed, bool expected)
    {
        Assert.Equal(expected, Accepts(new SignedIdentity(SignedIdentityKind.MatchRepository), image, signed));
    }

    [Fact]
    public void ExactReferenceAndExactRepository_IgnoreTheImageName()
    {
        var exact = new SignedIdentity(SignedIdentityKind.ExactReference, "r.example/upstream:1.0");
        Assert.True(Accepts(exact, "mirror.example/app:anything", "r.example/upstream:1.0"));
        Assert.False(Accepts(exact, "mirror.example/app:anything", "r.example/upstream:1.1"));
        var repo = new SignedIdentity(SignedIdentityKind.ExactRepository, "r.example/upstream");
        Assert.True(Accepts(repo, "mirror.example/app:x", "r.example/upstream:2"));
        Assert.False(Accepts(repo, "mirror.example/app:x", "r.example/other:2"));
    }

    [Fact]
    public void RemapIdentity_ReplacesThePrefixThenMatchesRepoDigestOrExact()
    {
        var remap = new SignedIdentity(SignedIdentityKind.RemapIdentity, null, "mirror.example/team", "r.example/team");
        Assert.True(Accepts(remap, "mirror.example/team/app:v1", "r.example/team/app:v1"));
        Assert.False(Accepts(remap, "mirror.example/team/app:v1", "r.example/team/app:v2"));
        Assert.False(Accepts(remap, "mirror.example/teamx/app:v1", "r.example/team/app:v1"));
    }
}
