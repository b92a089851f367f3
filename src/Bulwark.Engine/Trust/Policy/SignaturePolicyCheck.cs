using Bulwark.Engine.Images;
using Bulwark.Engine.Registry;
using Bulwark.Tuf;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// Evaluates a <see cref="SignaturePolicy"/> for one image at one manifest digest: the most specific scope is chosen, and every
/// requirement in it must hold. A signedBy or sigstoreSigned requirement holds when at least one signature verifies with one
/// of its keys, its payload names this very digest, and its identity is accepted by the requirement's signedIdentity.
/// Otherwise the refusal names the image, the scope and the most telling reason (digest mismatch, identity mismatch, wrong
/// key, no signature).
/// An acceptance is remembered in <see cref="PolicyVerdictCache"/> (when one is given) and answered from it next time.
/// </summary>
public sealed class SignaturePolicyCheck(SignaturePolicy policy, SignatureSources sources, PolicyVerdictCache? verdicts = null)
{
    public SignaturePolicy Policy => policy;

    /// <summary>Null when the policy accepts <paramref name="image"/> at <paramref name="digest"/>, else why not.</summary>
    /// <param name="client">A registry client for the image's registry (pull passes its own), or null to open one when attachments are needed.</param>
    public async Task<TrustRefusal?> CheckAsync(ImageReference image, string digest, RegistryClient? client, CancellationToken ct)
    {
        var (scope, requirements) = policy.Select(image);
        string rule = $"policy.json {scope}";
        string key = PolicyVerdictCache.Key(policy, scope, image, digest);
        if (verdicts?.IsAccepted(key) == true)
        {
            return null;
        }

        foreach (var req in requirements)
        {
            var refusal = req switch
            {
                AcceptAnything => null,
                RejectAll => new TrustRefusal(image.Familiar, rule, TrustFailure.Rejected, $"the policy rejects every image in this scope ({policy.Path})"),
                SignedBy s => await SignedByAsync(image, digest, s, rule, ct).ConfigureAwait(false),
                SigstoreSigned s => await SigstoreAsync(image, digest, s, rule, client, ct).ConfigureAwait(false),
                _ => new TrustRefusal(image.Familiar, rule, TrustFailure.Invalid, $"unsupported requirement {req.Type}"),
            };
            if (refusal is not null)
            {
                return refusal;
            }
        }

        verdicts?.Accept(key);
        return null;
    }

    private async Task<TrustRefusal?> SignedByAsync(ImageReference image, string digest, SignedBy req, string rule, CancellationToken ct)
    {
        var (signatures, where) = await sources.LookasideAsync(image, digest, ct).ConfigureAwait(false);
        if (signatures.Count == 0)
        {
            return new TrustRefusal(image.Familiar, rule, TrustFailure.NoSignature,
                $"a signature was required, but no simple-signing signature exists for {digest} (looked in {where})");
        }

        var failures = new List<(TrustFailure, string)>();
        foreach (byte[] sig in signatures)
        {
            byte[]? payload = req.Keys.Verify(sig, out string why);
            (TrustFailure, string)? failure = payload is null ? (TrustFailure.WrongKey, why) : Judge(image, digest, payload, SigningPayload.AtomicType, req.Identity);
            if (failure is not { } f)
            {
                return null;
            }

            failures.Add(f);
        }

        return Worst(image, rule, failures);
    }

    private async Task<TrustRefusal?> SigstoreAsync(ImageReference image, string digest, SigstoreSigned req, string rule, RegistryClient? client,
        CancellationToken ct)
    {
        var (signatures, where) = await sources.AttachmentsAsync(image, digest, client, ct).ConfigureAwait(false);
        if (signatures.Count == 0)
        {
            return new TrustRefusal(image.Familiar, rule, TrustFailure.NoSignature,
                $"a signature was required, but no cosign signature is attached to {digest} (looked for {where})");
        }

        var failures = new List<(TrustFailure, string)>();
        foreach (var (payload, sig) in signatures)
        {
            if (!req.Keys.Any(k => k.Verify(payload, sig)))
            {
                failures.Add((TrustFailure.WrongKey, $"cosign signature does not verify with the trusted keys ({string.Join(", ", req.Keys.Select(k => k.Source))})"));
                continue;
            }

            if (Judge(image, digest, payload, SigningPayload.CosignType, req.Identity) is not { } f)
            {
                return null;
            }

            failures.Add(f);
        }

        return Worst(image, rule, failures);
    }

    /// <summary>A verified payload: null when it is acceptable, else the failure and its reason.</summary>
    private static (TrustFailure, string)? Judge(ImageReference image, string digest, byte[] bytes, string type, SignedIdentity identity)
    {
        var payload = SigningPayload.Parse(bytes, type, out string why);
        if (payload is null)
        {
            return (TrustFailure.Invalid, why.Length == 0 ? "malformed signature payload" : why);
        }

        if (!string.Equals(payload.ManifestDigest, digest, StringComparison.Ordinal))
        {
            return (TrustFailure.DigestMismatch, $"signature for digest {payload.ManifestDigest} does not match {digest}");
        }

        if (!ImageReference.TryParse(payload.DockerReference, out var signed))
        {
            return (TrustFailure.IdentityMismatch, $"signature identity \"{payload.DockerReference}\" is not a valid reference");
        }

        return identity.Accepts(image, signed)
            ? null
            : (TrustFailure.IdentityMismatch, $"signature for identity {signed.Full} is not accepted for {image.Full} (signedIdentity {identity.Name})");
    }

    private static TrustRefusal Worst(ImageReference image, string rule, List<(TrustFailure Failure, string Reason)> failures)
    {
        static int Rank(TrustFailure f) => f switch
        {
            TrustFailure.DigestMismatch => 0,
            TrustFailure.IdentityMismatch => 1,
            TrustFailure.Invalid => 2,
            _ => 3,
        };
        var worst = failures.OrderBy(f => Rank(f.Failure)).First();
        string more = failures.Count > 1 ? $" ({failures.Count} signatures, none accepted)" : "";
        return new TrustRefusal(image.Familiar, rule, worst.Failure, worst.Reason + more);
    }
}
