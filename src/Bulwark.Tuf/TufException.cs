namespace Bulwark.Tuf;

/// <summary>Trust data failed a check; the message is the reason ("timestamp expired at …", "version 1 is lower than 2").</summary>
public sealed class TufException(string message, TrustFailure failure = TrustFailure.Invalid) : Exception(message)
{
    public TrustFailure Failure { get; } = failure;
}

/// <summary>Why trust data was refused: the class named in refusals and events.</summary>
public enum TrustFailure
{
    /// <summary>Malformed or inconsistent metadata, a bad signature, a failed threshold.</summary>
    Invalid,

    /// <summary>The server has no trust data for the repository, or no signed target for the tag.</summary>
    NoTrustData,

    /// <summary>No pinning rule covers the repository.</summary>
    NotPinned,

    /// <summary>The root is not signed by a pinned key or certificate.</summary>
    WrongRoot,

    /// <summary>A role's expiry has passed.</summary>
    Expired,

    /// <summary>A role's version is lower than the one already trusted.</summary>
    Rollback,

    /// <summary>The content does not match the signed hash or length.</summary>
    DigestMismatch,

    /// <summary>The trust server could not be reached.</summary>
    Unreachable,

    /// <summary>policy.json: a signature was required, but none exists.</summary>
    NoSignature,

    /// <summary>policy.json: signatures exist, but none verifies with a trusted key.</summary>
    WrongKey,

    /// <summary>policy.json: a valid signature names an identity the scope's signedIdentity does not accept.</summary>
    IdentityMismatch,

    /// <summary>policy.json: the scope says "reject".</summary>
    Rejected,
}
