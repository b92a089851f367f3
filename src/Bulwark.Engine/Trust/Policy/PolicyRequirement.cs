namespace Bulwark.Engine.Trust.Policy;

/// <summary>One requirement of a containers-policy.json(5) scope; every requirement of the chosen scope must hold.</summary>
public abstract record PolicyRequirement
{
    /// <summary>The requirement's "type" as written in policy.json.</summary>
    public abstract string Type { get; }
}

/// <summary><c>{"type": "insecureAcceptAnything"}</c>: any image, signed or not.</summary>
public sealed record AcceptAnything : PolicyRequirement
{
    public override string Type => "insecureAcceptAnything";
}

/// <summary><c>{"type": "reject"}</c>: no image at all.</summary>
public sealed record RejectAll : PolicyRequirement
{
    public override string Type => "reject";
}

/// <summary>
/// <c>{"type": "signedBy", "keyType": "GPGKeys", ...}</c>: at least one OpenPGP "simple signing" signature from the lookaside
/// store, made by one of <see cref="Keys"/>, for this manifest digest, with an identity <see cref="Identity"/> accepts.
/// </summary>
public sealed record SignedBy(OpenPgpKeyring Keys, SignedIdentity Identity) : PolicyRequirement
{
    public override string Type => "signedBy";
}

/// <summary>
/// <c>{"type": "sigstoreSigned", "keyPath"|"keyPaths"|"keyData"|"keyDatas": ...}</c>: at least one cosign signature (registry
/// attachment) verified by one of <see cref="Keys"/> (public keys; no Fulcio, no Rekor), for this digest and identity.
/// </summary>
public sealed record SigstoreSigned(IReadOnlyList<CosignPublicKey> Keys, SignedIdentity Identity) : PolicyRequirement
{
    public override string Type => "sigstoreSigned";
}
