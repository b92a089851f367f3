using Bulwark.Tuf;

namespace Bulwark.Engine.Trust;

/// <summary>Why content trust did not accept an image: the image as asked for, the pinning rule that applied, the failure class and the reason.</summary>
public sealed record TrustRefusal(string Image, string Rule, TrustFailure Failure, string Reason)
{
    /// <summary>The failure as it appears in messages and event attributes ("wrong-root", "expired").</summary>
    public string FailureName => Failure switch
    {
        TrustFailure.NoTrustData => "no-trust-data",
        TrustFailure.NotPinned => "not-pinned",
        TrustFailure.WrongRoot => "wrong-root",
        TrustFailure.Expired => "expired",
        TrustFailure.Rollback => "rollback",
        TrustFailure.DigestMismatch => "digest-mismatch",
        TrustFailure.Unreachable => "trust-server-unreachable",
        TrustFailure.NoSignature => "no-signature",
        TrustFailure.WrongKey => "wrong-key",
        TrustFailure.IdentityMismatch => "identity-mismatch",
        TrustFailure.Rejected => "rejected",
        _ => "invalid-trust-data",
    };

    public string Message => $"content trust: {Image}: {FailureName}: {Reason} (rule {Rule})";
}
