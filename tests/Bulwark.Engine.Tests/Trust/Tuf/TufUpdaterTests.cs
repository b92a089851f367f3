using System.Text;
using Bulwark.Engine.Trust;
using Bulwark.Engine.Trust.Tuf;
using Bulwark.Tuf;

namespace Bulwark.Engine.Tests.Trust.Tuf;

/// <summary>The Notary v1 client against generated repositories: what it accepts, and each attack of trust.md §6.4 it refuses.</summary>
public sealed class TufUpdaterTests : IDisposable
{
    private const string Gun = "registry.test:5000/team/app";
    private static readonly byte[] ManifestV1 = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"v\":1}");
    private static readonly byte[] ManifestV2 = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"v\":2}");
    private readonly string dir = Path.Combine(Path.GetTempPath(), "bwtuf-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly TestClock clock = new(DateTimeOffset.UtcNow);
    private readonly TrustCache cache;
    private readonly TufUpdater updater;
    private readonly TestTrustRepository repo = new(Gun);

    public TufUpdaterTests()
    {
        cache = new TrustCache(dir);
        updater = new TufUpdater(cache, clock);
        repo.Targets["v1"] = ManifestV1;
        repo.Publish();
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private PinRule RootKeyPin(params TestSigningKey[] keys) => new(PinKind.RootKeys, "registry.test:5000/team/*", keys.Select(k => k.Public.CanonicalId).ToHashSet());

    private Task<TrustedRepository> UpdateAsync(PinRule? pin = null, bool allowExpired = false) =>
        updater.UpdateAsync(repo, Gun, pin ?? RootKeyPin(repo.RootKeys[0]), allowExpired, CancellationToken.None);

    private async Task<TufException> RefusedAsync(PinRule? pin = null) => await Assert.ThrowsAsync<TufException>(() => UpdateAsync(pin));

    [Fact]
    public async Task SignedTag_ResolvesToTheSha256OfTheManifest_AndIsCached()
    {
        var trusted = await UpdateAsync();
        Assert.Equal((TestTrustRepository.DigestOf(ManifestV1), "targets"), trusted.Resolve("v1"));
        Assert.Null(trusted.Resolve("v2"));
        Assert.Equal(["v1"], trusted.TagsOf(TestTrustRepository.DigestOf(ManifestV1)));
        Assert.NotNull(cache.Load(Gun));
    }

    [Fact]
    public async Task CertIdPin_AcceptsTheCertificateIdListedInRoot()
    {
        var pin = new PinRule(PinKind.CertIds, Gun, new HashSet<string> { repo.RootKeys[0].Id });
        Assert.NotNull((await UpdateAsync(pin)).Resolve("v1"));
    }

    [Fact]
    public async Task RsaPssAndEcdsaKeys_VerifyLikeEd25519()
    {
        repo.TargetsKey = TestSigningKey.RsaPss();
        repo.TimestampKey = TestSigningKey.Ecdsa();
        repo.Publish();
        Assert.NotNull((await UpdateAsync()).Resolve("v1"));
    }

    [Fact]
    public async Task TargetsReleases_WinsOverTargets()
    {
        repo.Targets["v2"] = ManifestV1;
        repo.Delegations["targets/releases"] = (TestSigningKey.Ecdsa(), new() { ["v2"] = ManifestV2 });
        repo.Publish();
        Assert.Equal((TestTrustRepository.DigestOf(ManifestV2), "targets/releases"), (await UpdateAsync()).Resolve("v2"));
    }

    [Fact]
    public async Task TagOnlyInAnotherDelegation_IsNotSigned() // A14
    {
        repo.Delegations["targets/alice"] = (TestSigningKey.Ecdsa(), new() { ["alice-only"] = ManifestV2 });
        repo.Publish();
        Assert.Null((await UpdateAsync()).Resolve("alice-only"));
    }

    [Fact]
    public async Task RootOfAnotherKey_IsRefusedAsWrongRoot() // A2
    {
        var e = await RefusedAsync(RootKeyPin(TestSigningKey.RootCertificate(Gun)));
        Assert.Equal(TrustFailure.WrongRoot, e.Failure);
        Assert.Contains("could not validate the path to a trusted root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootCertificateForAnotherRepository_IsRefused()
    {
        repo.RootKeys = [TestSigningKey.RootCertificate("registry.test:5000/team/other")];
        repo.Publish();
        var e = await RefusedAsync();
        Assert.Equal(TrustFailure.WrongRoot, e.Failure);
        Assert.Contains("CN \"registry.test:5000/team/other\" is not the repository", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CaOrExpiredRootCertificates_AreRefused()
    {
        repo.RootKeys = [TestSigningKey.RootCertificate(Gun, ca: true)];
        repo.Publish();
        Assert.Contains("certificate is a CA", (await RefusedAsync()).Message, StringComparison.Ordinal);
        repo.RootKeys = [TestSigningKey.RootCertificate(Gun, notAfter: DateTimeOffset.UtcNow.AddHours(-1))];
        repo.Publish();
        Assert.Contains("certificate is not valid now", (await RefusedAsync()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredTimestamp_IsRefused() // A4 (freeze)
    {
        repo.TimestampExpires = clock.GetUtcNow().AddMinutes(-1);
        repo.Publish();
        var e = await RefusedAsync();
        Assert.Equal(TrustFailure.Expired, e.Failure);
        Assert.StartsWith("timestamp expired at", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("root")]
    [InlineData("snapshot")]
    [InlineData("targets")]
    public async Task ExpiredRootSnapshotOrTargets_IsRefused(string role) // A5
    {
        var past = clock.GetUtcNow().AddMinutes(-1);
        _ = role switch
        {
            "root" => repo.RootExpires = past,
            "snapshot" => repo.SnapshotExpires = past,
            _ => repo.TargetsExpires = past,
        };
        repo.Publish();
        var e = await RefusedAsync();
        Assert.Equal(TrustFailure.Expired, e.Failure);
        Assert.StartsWith(role + " expired at", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LowerVersionThanCached_IsRefusedAsRollback()
    {
        repo.TargetsVersion = 2;
        repo.SnapshotVersion = 2;
        repo.TimestampVersion = 2;
        repo.Publish();
        await UpdateAsync();
        repo.TargetsVersion = 1;
        repo.SnapshotVersion = 1;
        repo.TimestampVersion = 1;
        repo.Publish();
        var e = await RefusedAsync();
        Assert.Equal(TrustFailure.Rollback, e.Failure);
        Assert.Contains("timestamp version 1 is lower than the trusted version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnapshotRecordingOtherTargets_IsRefusedAsMismatch() // A7 (mix and match)
    {
        repo.SnapshotTargetsOverride = served =>
        {
            byte[] other = (byte[])served.Clone();
            other[^2] ^= 1;
            return other;
        };
        repo.Publish();
        var e = await RefusedAsync();
        Assert.Equal(TrustFailure.DigestMismatch, e.Failure);
        Assert.Contains("targets: trust data mismatch: sha", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileLongerThanItsParentSigned_IsCutOffAtTheSignedLength()
    {
        repo.SnapshotTargetsOverride = served => served[..^10];
        repo.Publish();
        var e = await RefusedAsync();
        Assert.Equal(TrustFailure.DigestMismatch, e.Failure);
        Assert.Contains("more than the limit of", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetsChangedAfterSigning_FailsTheThreshold() // A8
    {
        repo.TamperTargets = b => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(b).Replace("\"version\":1", "\"version\":7", StringComparison.Ordinal));
        repo.Publish();
        Assert.Contains("targets: insufficient signatures: 0 valid, threshold is 1", (await RefusedAsync()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TargetsSignedByAKeyNotInRoot_FailsTheThreshold() // A8
    {
        repo.TargetsSigner = TestSigningKey.Ecdsa();
        repo.Publish();
        Assert.Contains("targets: insufficient signatures", (await RefusedAsync()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewRootSignedOnlyByNewKeys_IsRefusedAsWrongRoot() // A9
    {
        var old = repo.RootKeys[0];
        await UpdateAsync();
        var attacker = TestSigningKey.RootCertificate(Gun);
        repo.RootKeys = [attacker];
        repo.RootVersion = 2;
        repo.Publish();
        var e = await RefusedAsync(RootKeyPin(old, attacker));
        Assert.Equal(TrustFailure.WrongRoot, e.Failure);
        Assert.Contains("could not rotate trust to a new trusted root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootRotationCrossSigned_IsAccepted_OnlyWhileTheNewKeyMatchesThePin() // A10
    {
        var old = repo.RootKeys[0];
        await UpdateAsync(RootKeyPin(old));
        var next = TestSigningKey.RootCertificate(Gun);
        repo.RootKeys = [next];
        repo.RootSigners = [old, next];
        repo.RootVersion = 2;
        repo.Publish();

        var e = await RefusedAsync(RootKeyPin(old));
        Assert.Equal(TrustFailure.WrongRoot, e.Failure);
        var trusted = await UpdateAsync(RootKeyPin(old, next));
        Assert.Equal(2, trusted.Root.Version);
    }

    [Fact]
    public async Task UnreachableServer_UsesValidCache_ButExpiredCacheOnlyWhenAllowed()
    {
        repo.TimestampExpires = clock.GetUtcNow().AddDays(1);
        repo.Publish();
        await UpdateAsync();
        repo.Unreachable = true;
        Assert.NotNull((await UpdateAsync()).Resolve("v1"));

        clock.Advance(TimeSpan.FromDays(2));
        var e = await RefusedAsync();
        Assert.Equal(TrustFailure.Expired, e.Failure);
        var stale = await UpdateAsync(allowExpired: true);
        Assert.True(stale.FromExpiredCache);
        Assert.NotNull(stale.Resolve("v1"));
    }

    [Fact]
    public async Task NoCacheAndUnreachable_IsRefused()
    {
        repo.Unreachable = true;
        Assert.Equal(TrustFailure.Unreachable, (await RefusedAsync()).Failure);
    }

    [Fact]
    public async Task FailedUpdate_LeavesTheCacheAsItWas()
    {
        await UpdateAsync();
        string file = Directory.GetFiles(dir).Single();
        byte[] before = await File.ReadAllBytesAsync(file);
        repo.Targets["v2"] = ManifestV2;
        repo.TargetsVersion = 2;
        repo.SnapshotVersion = 2;
        repo.TimestampVersion = 2;
        repo.TargetsSigner = TestSigningKey.Ecdsa();
        repo.Publish();
        await RefusedAsync();
        Assert.Equal(before, await File.ReadAllBytesAsync(Directory.GetFiles(dir).Single()));
    }

    [Fact]
    public async Task UnchangedTimestamp_ReusesTheVerifiedResultWithOneRequest_ChangedOneIsVerifiedAgain()
    {
        var pin = RootKeyPin(repo.RootKeys[0]);
        await UpdateAsync(pin);
        int before = repo.Requests;
        Assert.NotNull((await UpdateAsync(pin)).Resolve("v1"));
        Assert.Equal(before + 1, repo.Requests);

        repo.TargetsSigner = TestSigningKey.Ecdsa();
        repo.TimestampVersion = 2;
        repo.Publish();
        Assert.Contains("targets: insufficient signatures", (await RefusedAsync(pin)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReusedResult_EndsWhenTheVerifiedMetadataExpires()
    {
        repo.TimestampExpires = clock.GetUtcNow().AddHours(1);
        repo.Publish();
        var pin = RootKeyPin(repo.RootKeys[0]);
        await UpdateAsync(pin);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(TrustFailure.Expired, (await RefusedAsync(pin)).Failure);
    }

    [Fact]
    public async Task RepositoryUnknownToTheServer_IsNoTrustData()
    {
        var e = await Assert.ThrowsAsync<TufException>(() =>
            updater.UpdateAsync(repo, "registry.test:5000/team/none", RootKeyPin(repo.RootKeys[0]), false, CancellationToken.None));
        Assert.Equal(TrustFailure.NoTrustData, e.Failure);
    }

    private sealed class TestClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset now = now;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
