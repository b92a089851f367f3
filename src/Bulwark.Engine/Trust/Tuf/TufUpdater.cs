using System.Collections.Concurrent;
using Bulwark.Tuf;

namespace Bulwark.Engine.Trust.Tuf;

/// <summary>
/// Brings one repository's trust data up to date and verifies it, in Notary's order: root (pinned, or rotated one version at a
/// time from the cached root), timestamp (always fetched), snapshot, targets, then <c>targets/releases</c>. Each file is
/// checked for signature threshold, expiry, rollback against the cached version, and the hash and length its parent signed.
/// The cache is written only after everything passed. When the server's timestamp.json is byte for byte the one this
/// process last verified for the same pin, and nothing has expired since, that verified result is reused: one request.
/// </summary>
public sealed class TufUpdater(TrustCache cache, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, VerifiedResult> verified = new(StringComparer.Ordinal);

    public const long MaxTimestampBytes = 1024 * 1024;
    public const long MaxRootBytes = 4 * 1024 * 1024;
    public const string Releases = "targets/releases";

    public async Task<TrustedRepository> UpdateAsync(ITrustMetadataSource client, string gun, PinRule pin, bool allowExpiredCache, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (verified.TryGetValue(gun, out var last) && last.Pin == pin && last.Expires > now)
        {
            byte[]? timestamp = null;
            try
            {
                timestamp = await client.GetAsync(gun, "timestamp.json", MaxTimestampBytes, ct).ConfigureAwait(false);
            }
            catch (TufException ex) when (ex.Failure == TrustFailure.Unreachable)
            {
                // the full path below decides what an unreachable server means
            }

            if (timestamp is not null && timestamp.AsSpan().SequenceEqual(last.Timestamp))
            {
                return last.Repository;
            }
        }

        var cached = cache.Load(gun);
        SignedMetadata? Cached(string role) => cached is not null && cached.TryGetValue(role, out var b) ? SignedMetadata.Parse(role, b) : null;

        SignedMetadata? trustedRoot = null;
        if (cached is not null)
        {
            try
            {
                trustedRoot = Cached("root");
                if (trustedRoot is not null)
                {
                    // The pin may have changed since the cache was written: the cached root must still satisfy it.
                    RootValidator.ValidateAgainstPin(trustedRoot, gun, pin, now, checkCertificateExpiry: false);
                }
            }
            catch (TufException)
            {
                cache.Remove(gun);
                cached = null;
                trustedRoot = null;
            }
        }

        try
        {
            return await DownloadAsync(client, gun, pin, trustedRoot, Cached, now, ct).ConfigureAwait(false);
        }
        catch (TufException ex) when (ex.Failure == TrustFailure.Unreachable && cached is not null)
        {
            return FromCache(gun, Cached, now, allowExpiredCache, ex);
        }
    }

    private async Task<TrustedRepository> DownloadAsync(ITrustMetadataSource client, string gun, PinRule pin, SignedMetadata? trustedRoot,
        Func<string, SignedMetadata?> cached, DateTimeOffset now, CancellationToken ct)
    {
        var fresh = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] rootBytes = await client.GetAsync(gun, "root.json", MaxRootBytes, ct).ConfigureAwait(false)
            ?? throw new TufException($"no trust data for {gun} on {client.Url}", TrustFailure.NoTrustData);
        var root = SignedMetadata.Parse("root", rootBytes);
        if (trustedRoot is null)
        {
            RootValidator.ValidateAgainstPin(root, gun, pin, now, checkCertificateExpiry: true);
        }
        else if (root.Version < trustedRoot.Version)
        {
            root.VerifyNotOlderThan(trustedRoot);
        }
        else if (root.Version == trustedRoot.Version)
        {
            root = trustedRoot;
        }
        else
        {
            var previous = trustedRoot;
            for (int v = trustedRoot.Version + 1; v <= root.Version; v++)
            {
                var next = v == root.Version
                    ? root
                    : SignedMetadata.Parse("root", await client.GetAsync(gun, $"{v}.root.json", MaxRootBytes, ct).ConfigureAwait(false)
                        ?? throw new TufException($"root version {v} is missing on the trust server"));
                RootValidator.ValidateRotation(previous, next);
                previous = next;
            }

            RootValidator.ValidateAgainstPin(root, gun, pin, now, checkCertificateExpiry: false);
        }

        root.VerifyNotExpired(now);
        fresh["root"] = root.Raw;
        var (keys, roles) = TufRoles.Root(root);

        byte[] tsBytes = await client.GetAsync(gun, "timestamp.json", MaxTimestampBytes, ct).ConfigureAwait(false)
            ?? throw new TufException($"no trust data for {gun}: timestamp missing", TrustFailure.NoTrustData);
        var timestamp = Verified(SignedMetadata.Parse("timestamp", tsBytes), keys, roles["timestamp"], cached("timestamp"), now);
        fresh["timestamp"] = timestamp.Raw;

        var snapshotMeta = Meta(TufRoles.Meta(timestamp), "snapshot", "timestamp");
        var snapshot = Verified(await FetchAsync(client, gun, "snapshot", snapshotMeta, cached, ct).ConfigureAwait(false),
            keys, roles["snapshot"], cached("snapshot"), now);
        fresh["snapshot"] = snapshot.Raw;

        var snapshotFiles = TufRoles.Meta(snapshot);
        var targets = Verified(await FetchAsync(client, gun, "targets", Meta(snapshotFiles, "targets", "snapshot"), cached, ct).ConfigureAwait(false),
            keys, roles["targets"], cached("targets"), now);
        fresh["targets"] = targets.Raw;
        var (targetFiles, delegationKeys, delegations) = TufRoles.Targets(targets);

        var releasesRole = delegations.FirstOrDefault(d => d.Name == Releases);
        IReadOnlyDictionary<string, FileMeta>? releases = null;
        if (releasesRole is not null && snapshotFiles.TryGetValue(Releases, out var releasesMeta))
        {
            var signedReleases = Verified(await FetchAsync(client, gun, Releases, releasesMeta, cached, ct).ConfigureAwait(false),
                delegationKeys, releasesRole.Keys, cached(Releases), now);
            fresh[Releases] = signedReleases.Raw;
            releases = TufRoles.Targets(signedReleases).Targets;
        }

        cache.Save(gun, fresh);
        var repository = new TrustedRepository(gun, root, targetFiles, releasesRole, releases, fromExpiredCache: false);
        var expires = fresh.Select(f => SignedMetadata.Parse(f.Key, f.Value).Expires).Min();
        verified[gun] = new VerifiedResult(pin, timestamp.Raw, repository, expires);
        return repository;
    }

    private static TrustedRepository FromCache(string gun, Func<string, SignedMetadata?> cached, DateTimeOffset now, bool allowExpired, TufException offline)
    {
        var root = cached("root");
        var targets = cached("targets");
        if (root is null || targets is null || cached("timestamp") is not { } timestamp || cached("snapshot") is not { } snapshot)
        {
            throw offline;
        }

        bool expired = false;
        foreach (var m in new[] { root, timestamp, snapshot, targets })
        {
            if (m.Expires <= now)
            {
                expired = true;
                if (!allowExpired)
                {
                    throw new TufException($"{offline.Message}; cached {m.Role} expired at {m.Expires.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", TrustFailure.Expired);
                }
            }
        }

        var (files, _, delegations) = TufRoles.Targets(targets);
        var releases = cached(Releases);
        return new TrustedRepository(gun, root, files, delegations.FirstOrDefault(d => d.Name == Releases),
            releases is null ? null : TufRoles.Targets(releases).Targets, expired);
    }

    private static SignedMetadata Verified(SignedMetadata m, IReadOnlyDictionary<string, TufKey> keys, RoleKeys role, SignedMetadata? trusted, DateTimeOffset now)
    {
        m.VerifyThreshold(keys, role.KeyIds, role.Threshold);
        m.VerifyNotOlderThan(trusted);
        m.VerifyNotExpired(now);
        return m;
    }

    /// <summary>A role's file, taken from the cache when its bytes still match what the parent signed, else fetched by checksum.</summary>
    private static async Task<SignedMetadata> FetchAsync(ITrustMetadataSource client, string gun, string role, FileMeta meta,
        Func<string, SignedMetadata?> cached, CancellationToken ct)
    {
        if (cached(role) is { } hit && hit.Raw.LongLength == meta.Length)
        {
            try
            {
                meta.Verify(role, hit.Raw);
                return hit;
            }
            catch (TufException)
            {
                // changed upstream: fetch it
            }
        }

        byte[]? bytes = null;
        if (meta.Sha256Hex is { } sha)
        {
            bytes = await client.GetAsync(gun, $"{role}.{sha}.json", meta.Length, ct).ConfigureAwait(false);
        }

        bytes ??= await client.GetAsync(gun, role + ".json", meta.Length, ct).ConfigureAwait(false)
            ?? throw new TufException($"{role} is missing on the trust server", TrustFailure.NoTrustData);
        meta.Verify(role, bytes);
        return SignedMetadata.Parse(role, bytes);
    }

    private static FileMeta Meta(IReadOnlyDictionary<string, FileMeta> files, string role, string parent) =>
        files.TryGetValue(role, out var m) ? m : throw new TufException($"{parent} does not list {role}");

    /// <summary>The last result this process verified for a repository: reused while the server's timestamp is unchanged.</summary>
    private sealed record VerifiedResult(PinRule Pin, byte[] Timestamp, TrustedRepository Repository, DateTimeOffset Expires);
}
