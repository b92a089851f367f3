using Bulwark.Engine.Trust;

namespace Bulwark.Engine.Tests.Trust;

public sealed class TrustPinningTests
{
    private static readonly IReadOnlySet<string> A = new HashSet<string> { new('a', 64) };
    private static readonly IReadOnlySet<string> B = new HashSet<string> { new('b', 64) };
    private static readonly IReadOnlySet<string> C = new HashSet<string> { new('c', 64) };

    private static readonly TrustPinning Pinning = new()
    {
        RootKeys = new Dictionary<string, IReadOnlySet<string>>
        {
            ["r:5000/*"] = A,
            ["r:5000/team/*"] = B,
            ["r:5000/team/exact"] = C,
        },
        CertIds = new Dictionary<string, IReadOnlySet<string>> { ["r:5000/team/app"] = C },
    };

    [Fact]
    public void LongestWildcard_Wins()
    {
        Assert.Equal("trust-pinning.root-keys[\"r:5000/team/*\"]", Pinning.Find("r:5000/team/other")!.Name);
        Assert.Equal(A, Pinning.Find("r:5000/ops/app")!.Ids);
    }

    [Fact]
    public void ExactRootKeysEntry_BeatsAnyWildcard()
    {
        Assert.Equal(C, Pinning.Find("r:5000/team/exact")!.Ids);
    }

    [Fact]
    public void CertIds_BeatRootKeys()
    {
        var rule = Pinning.Find("r:5000/team/app")!;
        Assert.Equal(PinKind.CertIds, rule.Kind);
        Assert.Equal("trust-pinning.cert-ids[\"r:5000/team/app\"]", rule.Name);
    }

    [Fact]
    public void RepositoryOutsideEveryScope_HasNoRule()
    {
        Assert.Null(Pinning.Find("other:5000/team/app"));
    }
}
