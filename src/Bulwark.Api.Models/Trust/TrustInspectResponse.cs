namespace Bulwark.Api.Models.Trust;

/// <summary>
/// Bulwark extension <c>GET /images/{name}/trust</c>: a repository's signed tags as the daemon verified them (its pins, its
/// trust server), in the shape of <c>docker trust inspect</c>, plus the pinning rule and the daemon's content-trust mode.
/// </summary>
public sealed record TrustInspectResponse(
    string Name,
    IReadOnlyList<TrustSignedTag> SignedTags,
    IReadOnlyList<TrustAdministrativeKeys> AdministrativeKeys,
    string PinnedBy,
    string Mode);

/// <summary>A tag, its signed manifest digest (hex, no "sha256:", as docker prints it), and the role that signed it.</summary>
public sealed record TrustSignedTag(string SignedTag, string Digest, IReadOnlyList<string> Signers);

/// <summary>"Root" (certificate ids) or "Repository" (targets key ids).</summary>
public sealed record TrustAdministrativeKeys(string Name, IReadOnlyList<TrustKeyId> Keys);

public sealed record TrustKeyId(string ID);
