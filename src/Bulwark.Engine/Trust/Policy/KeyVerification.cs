using System.Text;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Tuf;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>The answer of <c>bulwark image verify</c>: which digest was checked, in which format, and why it failed (null = verified).</summary>
public sealed record KeyVerification(string Image, string Digest, string Format, TrustRefusal? Refusal);

/// <summary>
/// <c>bulwark image verify --key FILE IMAGE</c>: the image's digest in its repository checked against one key, as a one-rule
/// policy would: an OpenPGP keyring means simple signing (signedBy, identity matchRepoDigestOrExact), a PEM public key means
/// cosign (sigstoreSigned, identity matchRepository, since cosign signs the repository without a tag). Signatures are found
/// where the daemon's registries.d says, and in the registry.
/// </summary>
public static class KeyVerifier
{
    public static async Task<KeyVerification> VerifyAsync(SignatureSources sources, ImageReference reference, ImageRecord image, byte[] key,
        string? format, CancellationToken ct)
    {
        format ??= LooksLikePem(key) ? "cosign" : "simple";
        PolicyRequirement requirement;
        try
        {
            requirement = format switch
            {
                "simple" => new SignedBy(OpenPgpKeyring.Load([("the key", key)]), SignedIdentity.Default),
                "cosign" => new SigstoreSigned([CosignPublicKey.Parse("the key", Encoding.UTF8.GetString(key))], new SignedIdentity(SignedIdentityKind.MatchRepository)),
                _ => throw EngineException.Invalid($"unknown signature format \"{format}\" (use simple or cosign)"),
            };
        }
        catch (PolicyException ex)
        {
            throw EngineException.Invalid(ex.Message);
        }

        var r = reference.Tag is null && reference.Digest is null ? reference.WithDefaultTag() : reference;
        var digests = image.RepoDigests
            .Select(d => ImageReference.TryParse(d, out var rd) && rd.Repository == r.Repository ? rd.Digest : null)
            .OfType<string>().ToList();
        if (digests.Count == 0)
        {
            throw EngineException.NotFound($"{r.Familiar}: the local image has no digest in {r.Repository} (pull or push it first): nothing a signature can name");
        }

        var policy = new SignaturePolicy("--key", [requirement], new Dictionary<string, IReadOnlyList<PolicyRequirement>>(StringComparer.Ordinal));
        var check = new SignaturePolicyCheck(policy, sources);
        TrustRefusal? first = null;
        foreach (string digest in digests)
        {
            var refusal = await check.CheckAsync(r, digest, null, ct).ConfigureAwait(false);
            if (refusal is null)
            {
                return new KeyVerification(r.Familiar, digest, format, null);
            }

            first ??= refusal with { Rule = "--key" };
        }

        return new KeyVerification(r.Familiar, digests[0], format, first ?? new TrustRefusal(r.Familiar, "--key", TrustFailure.NoSignature, "no signature"));
    }

    private static bool LooksLikePem(byte[] key) =>
        Encoding.ASCII.GetString(key, 0, Math.Min(key.Length, 256)).Contains("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal);
}
