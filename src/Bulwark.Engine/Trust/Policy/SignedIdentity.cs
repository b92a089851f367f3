using Bulwark.Engine.Images;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>policy.json <c>signedIdentity</c>: which <c>docker-reference</c> inside a signature is acceptable for the image being checked.</summary>
public sealed record SignedIdentity(SignedIdentityKind Kind, string? Reference = null, string? Prefix = null, string? SignedPrefix = null)
{
    /// <summary>The default: a tagged image needs the exact reference; a digest image accepts any reference in its repository.</summary>
    public static SignedIdentity Default { get; } = new(SignedIdentityKind.MatchRepoDigestOrExact);

    public string Name => Kind switch
    {
        SignedIdentityKind.MatchExact => "matchExact",
        SignedIdentityKind.MatchRepository => "matchRepository",
        SignedIdentityKind.ExactReference => "exactReference",
        SignedIdentityKind.ExactRepository => "exactRepository",
        SignedIdentityKind.RemapIdentity => "remapIdentity",
        _ => "matchRepoDigestOrExact",
    };

    /// <summary>True when a signature claiming <paramref name="signed"/> is acceptable for <paramref name="image"/>.</summary>
    public bool Accepts(ImageReference image, ImageReference signed) => Kind switch
    {
        SignedIdentityKind.MatchExact => (image.Tag is not null || image.Digest is not null) && image.Full == signed.Full,
        SignedIdentityKind.MatchRepository => image.Repository == signed.Repository,
        SignedIdentityKind.ExactReference => signed.Full == Reference,
        SignedIdentityKind.ExactRepository => signed.Repository == Reference,
        SignedIdentityKind.RemapIdentity => RepoDigestOrExact(Remap(image), signed),
        _ => RepoDigestOrExact(image, signed),
    };

    private static bool RepoDigestOrExact(ImageReference image, ImageReference signed) =>
        image.Digest is not null ? image.Repository == signed.Repository
        : image.Tag is not null && image.Full == signed.Full;

    /// <summary>remapIdentity: <c>prefix</c> (at a path boundary) of the image's name replaced by <c>signedPrefix</c>.</summary>
    private ImageReference Remap(ImageReference image)
    {
        string full = image.Full;
        string prefix = Prefix!;
        bool boundary = full.Length == prefix.Length || prefix.EndsWith('/') || full[prefix.Length] is '/' or ':' or '@';
        if (full.StartsWith(prefix, StringComparison.Ordinal) && boundary
            && ImageReference.TryParse(SignedPrefix + full[prefix.Length..], out var remapped))
        {
            return remapped;
        }

        return image;
    }
}

public enum SignedIdentityKind
{
    MatchRepoDigestOrExact,
    MatchExact,
    MatchRepository,
    ExactReference,
    ExactRepository,
    RemapIdentity,
}
