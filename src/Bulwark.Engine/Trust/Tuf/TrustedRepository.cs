using Bulwark.Tuf;

namespace Bulwark.Engine.Trust.Tuf;

/// <summary>
/// The verified signed targets of one repository. Only <c>targets/releases</c> and <c>targets</c> count, in that order, as the
/// docker CLI resolves them; any other delegation (<c>targets/alice</c>) never does.
/// </summary>
public sealed class TrustedRepository(
    string gun,
    SignedMetadata root,
    IReadOnlyDictionary<string, FileMeta> targets,
    DelegatedRole? releasesRole,
    IReadOnlyDictionary<string, FileMeta>? releases,
    bool fromExpiredCache)
{
    public string Gun { get; } = gun;

    public SignedMetadata Root { get; } = root;

    /// <summary>True when the server was unreachable and expired cached data was accepted (allow-expired-cached-trust-data).</summary>
    public bool FromExpiredCache { get; } = fromExpiredCache;

    /// <summary>The signed manifest digest ("sha256:…") of <paramref name="tag"/>, with the role that signed it; null when unsigned.</summary>
    public (string Digest, string Role)? Resolve(string tag)
    {
        if (releases is not null && releasesRole is not null && releasesRole.Covers(tag) && releases.TryGetValue(tag, out var r) && r.Sha256Hex is { } rh)
        {
            return ("sha256:" + rh, "targets/releases");
        }

        if (targets.TryGetValue(tag, out var t) && t.Sha256Hex is { } th)
        {
            return ("sha256:" + th, "targets");
        }

        return null;
    }

    /// <summary>Every tag whose signed digest is <paramref name="digest"/> (reverse lookup for digest references and local images).</summary>
    public IReadOnlyList<string> TagsOf(string digest) =>
        (releases?.Keys ?? []).Concat(targets.Keys).Distinct(StringComparer.Ordinal)
            .Where(tag => Resolve(tag) is { } hit && hit.Digest == digest)
            .ToList();

    /// <summary>All signed tags with their digests and roles, as <c>bulwark trust inspect</c> shows them.</summary>
    public IReadOnlyList<(string Tag, string Digest, string Role)> SignedTags() =>
        (releases?.Keys ?? []).Concat(targets.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(tag => Resolve(tag) is { } hit ? (tag, hit.Digest, hit.Role) : default)
            .Where(x => x.tag is not null)
            .ToList();
}
