using System.Text;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Images;
using Bulwark.Engine.Tests.Trust.Tuf;
using Bulwark.Engine.Trust;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Engine.Tests.Trust;

/// <summary>The ContentTrust facade: what pull, create and start are told, in enforced and permissive mode.</summary>
public sealed class ContentTrustTests : IDisposable
{
    private const string Registry = "registry.test:5000";
    private const string Gun = Registry + "/team/app";
    private static readonly byte[] Signed = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"signed\":true}");
    private static readonly string SignedDigest = TestTrustRepository.DigestOf(Signed);
    private static readonly string OtherDigest = "sha256:" + new string('e', 64);
    private readonly string dir = Path.Combine(Path.GetTempPath(), "bwct-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly TestTrustRepository repo = new(Gun);
    private readonly EventBus events = new();

    public ContentTrustTests()
    {
        repo.Targets["v1"] = Signed;
        repo.Publish();
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private ContentTrust Trust(ContentTrustMode mode) => new(
        new ContentTrustOptions
        {
            Mode = mode,
            Pinning = new TrustPinning
            {
                RootKeys = new Dictionary<string, IReadOnlySet<string>> { [Registry + "/team/*"] = new HashSet<string> { repo.RootKeys[0].Public.CanonicalId } },
            },
        },
        dir, events, NullLogger.Instance, null, _ => repo);

    private static ImageRecord Image(params string[] repoDigests) => new() { Id = "sha256:" + new string('1', 64), Config = new ImageConfig(), RepoDigests = repoDigests };

    [Fact]
    public async Task Pull_OfASignedTag_FetchesTheSignedDigest()
    {
        using var trust = Trust(ContentTrustMode.Enforced);
        Assert.Equal(SignedDigest, await trust.ResolveForPullAsync(ImageReference.Parse(Gun + ":v1"), CancellationToken.None));
    }

    [Fact]
    public async Task Pull_TagAndDigestThatDisagree_IsRefused() // A15
    {
        using var trust = Trust(ContentTrustMode.Enforced);
        var e = await Assert.ThrowsAsync<EngineException>(() => trust.ResolveForPullAsync(ImageReference.Parse($"{Gun}:v1@{OtherDigest}"), CancellationToken.None));
        Assert.Equal(ErrorKind.Forbidden, e.Kind);
        Assert.Contains($"digest-mismatch: signed digest {SignedDigest} does not match provided digest {OtherDigest}", e.Message, StringComparison.Ordinal);
        Assert.Equal($"trust-pinning.root-keys[\"{Registry}/team/*\"]", e.Rule);
    }

    [Fact]
    public async Task Pull_ByAnUnsignedDigest_IsRefused_BySignedDigestAllowed()
    {
        using var trust = Trust(ContentTrustMode.Enforced);
        var e = await Assert.ThrowsAsync<EngineException>(() => trust.ResolveForPullAsync(ImageReference.Parse($"{Gun}@{OtherDigest}"), CancellationToken.None));
        Assert.Contains("is not a signed target", e.Message, StringComparison.Ordinal);
        Assert.Equal(SignedDigest, await trust.ResolveForPullAsync(ImageReference.Parse($"{Gun}@{SignedDigest}"), CancellationToken.None));
    }

    [Fact]
    public async Task Permissive_AllowsAnUnsignedTag_AndPublishesAViolationEvent() // A19
    {
        using var trust = Trust(ContentTrustMode.Permissive);
        Assert.Null(await trust.ResolveForPullAsync(ImageReference.Parse(Gun + ":unsigned"), CancellationToken.None));
        var (past, _, subscription) = events.Subscribe();
        subscription.Dispose();
        var e = Assert.Single(past);
        Assert.Equal("trust-violation", e.Action);
        Assert.Equal("no-trust-data", e.Attributes["reason"]);
        Assert.Equal("pull", e.Attributes["operation"]);
    }

    [Fact]
    public async Task Create_ByTag_RequiresTheLocalImageToBeTheSignedDigest()
    {
        using var trust = Trust(ContentTrustMode.Enforced);
        await trust.VerifyLocalImageAsync(Gun + ":v1", Image($"{Gun}@{SignedDigest}"), "create", CancellationToken.None);
        var e = await Assert.ThrowsAsync<EngineException>(() => trust.VerifyLocalImageAsync(Gun + ":v1", Image($"{Gun}@{OtherDigest}"), "create", CancellationToken.None));
        Assert.Contains($"is not the signed digest {SignedDigest}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AcceptsAnImageWhoseRepositoryDigestIsSigned_RefusesOneWithout()
    {
        using var trust = Trust(ContentTrustMode.Enforced);
        await trust.VerifyLocalImageAsync(null, Image($"{Gun}@{SignedDigest}"), "start", CancellationToken.None);
        var e = await Assert.ThrowsAsync<EngineException>(() => trust.VerifyLocalImageAsync(null, Image(), "start", CancellationToken.None));
        Assert.Contains("could not find trust signature for local image", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_NeverAsksTheTrustServer()
    {
        using var trust = Trust(ContentTrustMode.Disabled);
        Assert.Null(await trust.ResolveForPullAsync(ImageReference.Parse("other.test/x:1"), CancellationToken.None));
        await trust.VerifyLocalImageAsync(null, Image(), "start", CancellationToken.None);
        trust.VerifyUnsignedContentAllowed("load");
        Assert.Equal(0, repo.Requests);
    }

    [Fact]
    public async Task Create_AndStart_OfAPlatformManifest_AreAcceptedThroughTheSignedIndexPullKept()
    {
        string platform = "sha256:" + new string('a', 64);
        byte[] index = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"digest\":\"" + platform + "\",\"size\":1}]}");
        repo.Targets["multi"] = index;
        repo.Publish();
        using var trust = Trust(ContentTrustMode.Enforced);
        var image = Image($"{Gun}@{platform}");
        var before = await Assert.ThrowsAsync<EngineException>(() => trust.VerifyLocalImageAsync(Gun + ":multi", image, "create", CancellationToken.None));
        Assert.Contains("digest-mismatch", before.Message, StringComparison.Ordinal);

        trust.RememberIndex(TestTrustRepository.DigestOf(index), index);
        await trust.VerifyLocalImageAsync(Gun + ":multi", image, "create", CancellationToken.None);
        await trust.VerifyLocalImageAsync(null, image, "start", CancellationToken.None);
        await Assert.ThrowsAsync<EngineException>(() => trust.VerifyLocalImageAsync(Gun + ":multi", Image($"{Gun}@{OtherDigest}"), "create", CancellationToken.None));
    }

    [Fact]
    public void SignedIndexes_KeepOnlyBytesThatHashToTheDigest_AndForgetAFileAlteredOnDisk()
    {
        var store = new SignedIndexes(Path.Combine(dir, "indexes"));
        byte[] index = Encoding.UTF8.GetBytes("{\"manifests\":[{\"digest\":\"" + SignedDigest + "\"}]}");
        string digest = TestTrustRepository.DigestOf(index);
        store.Remember(OtherDigest, index);
        Assert.Empty(store.ManifestsOf(OtherDigest));

        store.Remember(digest, index);
        Assert.Equal([SignedDigest], store.ManifestsOf(digest));
        Assert.Equal([digest], store.IndexesListing(SignedDigest));

        File.WriteAllText(Path.Combine(dir, "indexes", digest["sha256:".Length..] + ".json"), "{\"manifests\":[{\"digest\":\"" + OtherDigest + "\"}]}");
        Assert.Empty(store.ManifestsOf(digest));
        Assert.Empty(store.IndexesListing(OtherDigest));
    }
}
