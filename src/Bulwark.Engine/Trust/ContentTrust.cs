using System.Collections.Concurrent;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Images;
using Bulwark.Engine.Registry;
using Bulwark.Engine.Trust.Policy;
using Bulwark.Engine.Trust.Tuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Bulwark.Tuf;

namespace Bulwark.Engine.Trust;

/// <summary>
/// The one place that decides whether an image may be pulled or run under daemon.json <c>content-trust</c>. Pull asks it which
/// digest a tag is signed as (and pulls that digest); create, start and restart ask it whether the local image is a signed
/// digest of its repository; load and import ask whether unsigned content may enter at all. Enforced mode refuses with a 403
/// naming the image, the pinning rule and the reason; permissive mode logs a warning and publishes an event, then allows.
/// A repository no trust-pinning rule covers is governed by <c>content-trust.policy</c> (containers-policy.json: simple
/// signing, cosign) when one is given; pull checks the manifest digest it received before any layer is fetched.
/// </summary>
public sealed partial class ContentTrust : IDisposable
{
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(30);
    private readonly ContentTrustOptions options;
    private readonly TufUpdater updater;
    private readonly EventBus? events;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<string, ITrustMetadataSource> clients = new(StringComparer.Ordinal);
    private readonly Func<string, ITrustMetadataSource> connect;
    private readonly SignedIndexes indexes;
    private readonly SignatureSources signatureSources;
    private readonly SignaturePolicyCheck? policy;

    public ContentTrust(ContentTrustOptions options, string dataRoot, EventBus? events, ILogger logger, TimeProvider? time = null)
        : this(options, dataRoot, events, logger, time, null)
    {
    }

    /// <param name="sources">Trust server per registry host; null = a <see cref="NotaryClient"/> per configured (or implicit) server.</param>
    internal ContentTrust(ContentTrustOptions options, string dataRoot, EventBus? events, ILogger logger, TimeProvider? time,
        Func<string, ITrustMetadataSource>? sources)
    {
        this.options = options;
        this.events = events;
        this.logger = logger;
        updater = new TufUpdater(new TrustCache(Path.Combine(dataRoot, "trust", "tuf")), time ?? TimeProvider.System);
        indexes = new SignedIndexes(Path.Combine(dataRoot, "trust", "indexes"));
        connect = sources ?? (host =>
            new NotaryClient(options.TrustServers.TryGetValue(host, out var s) ? s : new TrustServer(new Uri("https://" + host + "/"), null), ServerTimeout));
        signatureSources = new SignatureSources(options.RegistriesDirectory, () => RegistryOptions);
        if (options.Policy is not null)
        {
            policy = new SignaturePolicyCheck(options.Policy, signatureSources, new PolicyVerdictCache());
        }
    }

    /// <summary>Content trust off: every check answers at once.</summary>
    public static ContentTrust Disabled { get; } = new(new ContentTrustOptions(), Path.GetTempPath(), null, NullLogger.Instance);

    public ContentTrustMode Mode => options.Mode;

    /// <summary>How registries are reached when a policy needs signatures attached in a registry (insecure-registries).</summary>
    public RegistryOptions RegistryOptions { get; set; } = new();

    /// <summary>
    /// Pull: the digest to fetch instead of what the registry's tag points to now (null = pull as asked: trust off, or
    /// permissive and unverifiable). A tag resolves through targets/releases then targets; a digest must be a signed target;
    /// tag@digest must agree.
    /// </summary>
    public async Task<string?> ResolveForPullAsync(ImageReference reference, CancellationToken ct)
    {
        if (options.Mode == ContentTrustMode.Disabled)
        {
            return null;
        }

        var r = reference.WithDefaultTag();
        if (UsesPolicy(r))
        {
            return null; // policy.json: the digest the registry serves is checked by VerifyPulledManifestAsync, before any layer
        }

        var refusal = await CheckAsync(r, ct).ConfigureAwait(false);
        if (refusal.Refusal is { } why)
        {
            Violation(why, "pull");
            return null;
        }

        return refusal.Digest;
    }

    /// <summary>
    /// Create/run, start, restart: the local image must be a signed digest of its repository. When <paramref name="requested"/>
    /// names a tag, the image must be that tag's signed digest; otherwise (an id, or a start) one of its repository digests
    /// must still be a signed target.
    /// </summary>
    public async Task VerifyLocalImageAsync(string? requested, ImageRecord? image, string action, CancellationToken ct)
    {
        if (options.Mode == ContentTrustMode.Disabled)
        {
            return;
        }

        string shown = requested ?? image?.Id ?? "image";
        if (image is null)
        {
            Violation(new TrustRefusal(shown, "content-trust", TrustFailure.NoTrustData, "the image is no longer in the store"), action);
            return;
        }

        if (requested is not null && !LooksLikeId(requested) && ImageReference.TryParse(requested, out var asked))
        {
            var r = asked.WithDefaultTag();
            if (UsesPolicy(r))
            {
                await VerifyLocalByPolicyAsync(r, image, action, ct).ConfigureAwait(false);
                return;
            }

            var verdict = await CheckAsync(r, ct).ConfigureAwait(false);
            if (verdict.Refusal is { } refused)
            {
                Violation(refused, action);
            }
            else if (!image.RepoDigests.Any(d => SignedAs(d, r, verdict.Digest!)))
            {
                Violation(new TrustRefusal(r.Familiar, Pin(r)?.Name ?? "content-trust", TrustFailure.DigestMismatch,
                    $"the local image {image.Id[..Math.Min(19, image.Id.Length)]} is not the signed digest {verdict.Digest} (pull it again)"), action);
            }

            return;
        }

        TrustRefusal? last = null;
        foreach (string repoDigest in image.RepoDigests)
        {
            if (!ImageReference.TryParse(repoDigest, out var rd) || rd.Digest is null)
            {
                continue;
            }

            if (UsesPolicy(rd))
            {
                last = await PolicyRefusalAsync(rd, [rd.Digest, .. indexes.IndexesListing(rd.Digest)], ct).ConfigureAwait(false);
                if (last is null)
                {
                    return;
                }

                continue;
            }

            var verdict = await CheckAsync(rd, ct).ConfigureAwait(false);
            if (verdict.Refusal is null)
            {
                return;
            }

            last = verdict.Refusal;
            foreach (string index in indexes.IndexesListing(rd.Digest))
            {
                // A multi-platform image is signed as its index: the index this manifest was pulled from vouches for it.
                if ((await CheckAsync(rd.WithDigest(index), ct).ConfigureAwait(false)).Refusal is null)
                {
                    return;
                }
            }
        }

        Violation(last ?? new TrustRefusal(shown, "content-trust", TrustFailure.NoTrustData,
            $"could not find trust signature for local image {image.Id}: it has no repository digest (loaded, imported, committed or built)"), action);
    }

    /// <summary>
    /// Pull resolved an index (manifest list) to one platform's manifest: keep the index, so that a signature over the index
    /// digest later vouches for that manifest at create, start and restart.
    /// </summary>
    public void RememberIndex(string digest, ReadOnlySpan<byte> bytes)
    {
        if (options.Mode != ContentTrustMode.Disabled)
        {
            indexes.Remember(digest, bytes);
        }
    }

    /// <summary>
    /// Pull under policy.json: <paramref name="digest"/> is the hash of the manifest (or index) bytes the registry served for
    /// <paramref name="reference"/>; its signatures must satisfy the policy before any layer is downloaded.
    /// </summary>
    public async Task VerifyPulledManifestAsync(ImageReference reference, string digest, RegistryClient client, CancellationToken ct)
    {
        var r = reference.WithDefaultTag();
        if (options.Mode == ContentTrustMode.Disabled || !UsesPolicy(r))
        {
            return;
        }

        if (await policy!.CheckAsync(r, digest, client, ct).ConfigureAwait(false) is { } refusal)
        {
            Violation(refusal, "pull");
        }
    }

    /// <summary>`bulwark image verify --key`: the local image's digest checked against one key, signatures found where this daemon looks.</summary>
    public Task<KeyVerification> VerifyWithKeyAsync(ImageReference reference, ImageRecord image, byte[] key, string? format, CancellationToken ct) =>
        KeyVerifier.VerifyAsync(signatureSources, reference, image, key, format, ct);

    /// <summary>load/import/commit: unsigned content cannot enter in enforced mode (stricter than Docker EE, which let it in).</summary>
    public void VerifyUnsignedContentAllowed(string action)
    {
        if (options.Mode != ContentTrustMode.Disabled)
        {
            Violation(new TrustRefusal(action, "content-trust", TrustFailure.NoTrustData,
                $"{action} creates unsigned images, which content trust does not allow; push to a registry, sign, and pull instead"), action);
        }
    }

    /// <summary>`bulwark trust inspect` through the daemon: the verified signed tags of a repository, with the rule that pinned it.</summary>
    public async Task<(TrustedRepository Repository, PinRule Rule)> InspectAsync(ImageReference reference, CancellationToken ct)
    {
        var pin = Pin(reference) ?? throw EngineException.Forbidden("content-trust",
            $"content trust: {reference.Repository}: not-pinned: no trust-pinning rule covers this repository");
        try
        {
            return (await updater.UpdateAsync(Client(reference.Domain), reference.Repository, pin, options.AllowExpiredCachedTrustData, ct).ConfigureAwait(false), pin);
        }
        catch (TufException ex)
        {
            var refusal = new TrustRefusal(reference.Repository, pin.Name, ex.Failure, ex.Message);
            throw EngineException.Forbidden(pin.Name, refusal.Message);
        }
    }

    public void Dispose()
    {
        signatureSources.Dispose();
        foreach (var c in clients.Values.OfType<IDisposable>())
        {
            c.Dispose();
        }
    }

    private async Task<(string? Digest, TrustRefusal? Refusal)> CheckAsync(ImageReference r, CancellationToken ct)
    {
        var pin = Pin(r);
        if (pin is null)
        {
            return (null, new TrustRefusal(r.Familiar, "trust-pinning", TrustFailure.NotPinned,
                $"no trust-pinning rule covers {r.Repository} (trust on first use is off)"));
        }

        TrustedRepository repo;
        try
        {
            repo = await updater.UpdateAsync(Client(r.Domain), r.Repository, pin, options.AllowExpiredCachedTrustData, ct).ConfigureAwait(false);
        }
        catch (TufException ex)
        {
            return (null, new TrustRefusal(r.Familiar, pin.Name, ex.Failure, ex.Message));
        }

        if (repo.FromExpiredCache)
        {
            LogExpiredCacheUsed(logger, r.Repository);
        }

        string? signed = null;
        if (r.Tag is { } tag)
        {
            signed = repo.Resolve(tag)?.Digest;
            if (signed is null)
            {
                return (null, new TrustRefusal(r.Familiar, pin.Name, TrustFailure.NoTrustData,
                    $"no valid trust data for {tag} (no signature in targets/releases or targets)"));
            }
        }

        if (r.Digest is { } digest)
        {
            if (signed is not null && signed != digest)
            {
                return (null, new TrustRefusal(r.Familiar, pin.Name, TrustFailure.DigestMismatch, $"signed digest {signed} does not match provided digest {digest}"));
            }

            if (repo.TagsOf(digest).Count == 0)
            {
                return (null, new TrustRefusal(r.Familiar, pin.Name, TrustFailure.NoTrustData, $"{digest} is not a signed target of {r.Repository}"));
            }

            signed = digest;
        }

        return (signed, null);
    }

    private PinRule? Pin(ImageReference r) => options.Pinning.Find(r.Repository);

    /// <summary>A repository no trust-pinning rule covers is governed by the policy, when there is one.</summary>
    private bool UsesPolicy(ImageReference r) => policy is not null && Pin(r) is null;

    /// <summary>create/run of a name under policy.json: one of the image's digests in that repository (or an index it was pulled from) must be signed for that name.</summary>
    private async Task VerifyLocalByPolicyAsync(ImageReference r, ImageRecord image, string action, CancellationToken ct)
    {
        var digests = image.RepoDigests
            .Select(d => ImageReference.TryParse(d, out var rd) && rd.Repository == r.Repository ? rd.Digest : null)
            .OfType<string>()
            .SelectMany(d => (IEnumerable<string>)[d, .. indexes.IndexesListing(d)])
            .ToList();
        if (digests.Count == 0)
        {
            Violation(new TrustRefusal(r.Familiar, "policy.json " + policy!.Policy.Select(r).Scope, TrustFailure.NoSignature,
                $"the local image {image.Id[..Math.Min(19, image.Id.Length)]} has no digest in {r.Repository} (loaded, imported, committed or built): nothing a signature can name"), action);
            return;
        }

        if (await PolicyRefusalAsync(r, digests, ct).ConfigureAwait(false) is { } refusal)
        {
            Violation(refusal, action);
        }
    }

    /// <summary>Null when the policy accepts <paramref name="r"/> at any of <paramref name="digests"/>; else the refusal for the first.</summary>
    private async Task<TrustRefusal?> PolicyRefusalAsync(ImageReference r, IReadOnlyList<string> digests, CancellationToken ct)
    {
        TrustRefusal? first = null;
        foreach (string digest in digests)
        {
            var refusal = await policy!.CheckAsync(r, digest, null, ct).ConfigureAwait(false);
            if (refusal is null)
            {
                return null;
            }

            first ??= refusal;
        }

        return first;
    }

    private ITrustMetadataSource Client(string registry) => clients.GetOrAdd(registry, connect);

    private void Violation(TrustRefusal refusal, string action)
    {
        bool enforced = options.Mode == ContentTrustMode.Enforced;
        events?.Publish(new EngineEvent("image", enforced ? "trust-refused" : "trust-violation", refusal.Image,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["name"] = refusal.Image,
                ["operation"] = action,
                ["rule"] = refusal.Rule,
                ["reason"] = refusal.FailureName,
                ["message"] = refusal.Reason,
                ["mode"] = enforced ? "enforced" : "permissive",
            },
            DateTimeOffset.UtcNow));
        if (enforced)
        {
            LogRefused(logger, action, refusal.Message);
            throw EngineException.Forbidden(refusal.Rule, refusal.Message);
        }

        LogPermitted(logger, action, refusal.Message);
    }

    /// <summary>True when <paramref name="repoDigest"/> is <paramref name="signed"/> in r's repository, or a manifest the signed index lists.</summary>
    private bool SignedAs(string repoDigest, ImageReference r, string signed) =>
        ImageReference.TryParse(repoDigest, out var rd) && rd.Repository == r.Repository && rd.Digest is { } d
        && (d == signed || indexes.ManifestsOf(signed).Contains(d, StringComparer.Ordinal));

    private static bool LooksLikeId(string s) =>
        s.StartsWith("sha256:", StringComparison.Ordinal) || (s.Length is >= 12 and <= 64 && s.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')));

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} refused: {Message}")]
    private static partial void LogRefused(ILogger logger, string action, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} allowed by permissive content trust despite: {Message}")]
    private static partial void LogPermitted(ILogger logger, string action, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "trust server unreachable for {Repository}: using expired cached trust data (allow-expired-cached-trust-data)")]
    private static partial void LogExpiredCacheUsed(ILogger logger, string repository);
}
