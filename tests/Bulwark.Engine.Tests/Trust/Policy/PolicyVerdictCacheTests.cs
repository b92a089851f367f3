using System.Text;
using Bulwark.Engine.Images;
using Bulwark.Engine.Registry;
using Bulwark.Engine.Trust.Policy;
using Bulwark.Tuf;

namespace Bulwark.Engine.Tests.Trust.Policy;

/// <summary>
/// The verdict cache over a real signedBy check (skopeo's signature in a file:// lookaside): an acceptance is answered again
/// without the signature (it was removed after the first check), but never for another tag, another digest or another policy
/// file; a refusal is never remembered.
/// </summary>
public sealed class PolicyVerdictCacheTests : IDisposable
{
    private const string Image = "127.0.0.1:15987/lab/gpg";
    private static readonly string Digest = PolicyFixtures.ManifestDigest(PolicyFixtures.Dir("gpg"));
    private static readonly string OtherDigest = "sha256:" + new string('e', 64);
    private readonly string root = Path.Combine(Path.GetTempPath(), "bwverdict-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly SignatureSources sources;
    private readonly PolicyVerdictCache cache = new();

    public PolicyVerdictCacheTests()
    {
        Directory.CreateDirectory(Path.Combine(root, "registries.d"));
        File.WriteAllText(Path.Combine(root, "registries.d", "lab.yaml"), $"""
            docker:
              127.0.0.1:15987/lab:
                lookaside: file://{root}/lookaside
            """);
        sources = new SignatureSources(RegistriesDirectory.Load(Path.Combine(root, "registries.d")), () => new RegistryOptions());
    }

    public void Dispose()
    {
        sources.Dispose();
        Directory.Delete(root, recursive: true);
    }

    private void PlaceSignature()
    {
        string dir = Path.Combine(root, "lookaside", "lab", "gpg@" + Digest.Replace(':', '='));
        Directory.CreateDirectory(dir);
        File.Copy(PolicyFixtures.Dir("gpg", "signature-1"), Path.Combine(dir, "signature-1"));
    }

    private void RemoveSignatures() => Directory.Delete(Path.Combine(root, "lookaside"), recursive: true);

    private SignaturePolicyCheck Check(string identity = "")
    {
        string keyPath = PolicyFixtures.Dir("gpg", "signer.gpg");
        var policy = SignaturePolicyReader.Read("/etc/policy.json", Encoding.UTF8.GetBytes($$$"""
            {"default": [{"type": "reject"}],
             "transports": {"docker": {"127.0.0.1:15987/lab": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "{{{keyPath}}}"{{{identity}}} }]} } }
            """));
        return new SignaturePolicyCheck(policy, sources, cache);
    }

    private static Task<Engine.Trust.TrustRefusal?> RunAsync(SignaturePolicyCheck check, string image, string digest) =>
        check.CheckAsync(ImageReference.Parse(image), digest, null, CancellationToken.None);

    [Fact]
    public async Task AcceptedVerdict_IsReused_WithoutFetchingTheSignatureAgain()
    {
        var check = Check();
        PlaceSignature();
        Assert.Null(await RunAsync(check, Image + ":v1", Digest));
        RemoveSignatures();

        Assert.Null(await RunAsync(check, Image + ":v1", Digest));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task CachedAcceptance_DoesNotVouchForAnotherTagOrAnotherDigest()
    {
        var check = Check();
        PlaceSignature();
        Assert.Null(await RunAsync(check, Image + ":v1", Digest));

        var otherTag = await RunAsync(check, Image + ":v2", Digest);
        RemoveSignatures();
        var otherDigest = await RunAsync(check, Image + ":v1", OtherDigest);

        Assert.Equal(TrustFailure.IdentityMismatch, otherTag?.Failure);
        Assert.Equal(TrustFailure.NoSignature, otherDigest?.Failure);
    }

    [Fact]
    public async Task CachedAcceptance_DoesNotCarryOverToAnotherPolicyFile()
    {
        PlaceSignature();
        Assert.Null(await RunAsync(Check(), Image + ":v1", Digest));
        RemoveSignatures();

        var refusal = await RunAsync(Check(identity: """, "signedIdentity": {"type": "matchRepository"}"""), Image + ":v1", Digest);

        Assert.Equal(TrustFailure.NoSignature, refusal?.Failure);
    }

    [Fact]
    public async Task Refusal_IsNeverCached()
    {
        var check = Check();
        Assert.Equal(TrustFailure.NoSignature, (await RunAsync(check, Image + ":v1", Digest))?.Failure);
        Assert.Equal(0, cache.Count);

        PlaceSignature();

        Assert.Null(await RunAsync(check, Image + ":v1", Digest));
    }

    [Fact]
    public void Key_NamesTheFullReferenceTheDigestTheScopeAndThePolicyBytes()
    {
        var a = SignaturePolicyReader.Read("/p", """{"default":[{"type":"insecureAcceptAnything"}]}"""u8.ToArray());
        var b = SignaturePolicyReader.Read("/p", """{"default": [{"type":"insecureAcceptAnything"}]}"""u8.ToArray());
        var image = ImageReference.Parse(Image + ":v1");

        string key = PolicyVerdictCache.Key(a, "default", image, Digest);

        Assert.NotEqual(key, PolicyVerdictCache.Key(b, "default", image, Digest));
        Assert.NotEqual(key, PolicyVerdictCache.Key(a, "transports.docker[\"x\"]", image, Digest));
        Assert.NotEqual(key, PolicyVerdictCache.Key(a, "default", ImageReference.Parse(Image + ":v2"), Digest));
        Assert.NotEqual(key, PolicyVerdictCache.Key(a, "default", image, OtherDigest));
    }
}
