using Bulwark.Engine.Images;
using Bulwark.Engine.Registry;
using Bulwark.Engine.Trust.Policy;
using Bulwark.Tuf;

namespace Bulwark.Engine.Tests.Trust.Policy;

/// <summary>
/// signedBy end to end over a file:// lookaside named by a registries.d directory, with skopeo's real signature
/// (Fixtures/gpg): accepted for its digest and identity; refused for another digest (A11), another tag (A13), another key,
/// or when no signature exists.
/// </summary>
public sealed class SignaturePolicyCheckTests : IDisposable
{
    private const string Image = "127.0.0.1:15987/lab/gpg";
    private static readonly string Digest = PolicyFixtures.ManifestDigest(PolicyFixtures.Dir("gpg"));
    private static readonly string OtherDigest = "sha256:" + new string('e', 64);
    private readonly string root = Path.Combine(Path.GetTempPath(), "bwpolicy-" + Guid.NewGuid().ToString("N")[..8]);

    public SignaturePolicyCheckTests()
    {
        Directory.CreateDirectory(Path.Combine(root, "registries.d"));
        File.WriteAllText(Path.Combine(root, "registries.d", "lab.yaml"), $"""
            docker:
              127.0.0.1:15987/lab:
                lookaside: file://{root}/lookaside
            """);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private void PlaceSignature(string digest)
    {
        string dir = Path.Combine(root, "lookaside", "lab", "gpg@" + digest.Replace(':', '='));
        Directory.CreateDirectory(dir);
        File.Copy(PolicyFixtures.Dir("gpg", "signature-1"), Path.Combine(dir, "signature-1"));
    }

    private Task<Engine.Trust.TrustRefusal?> CheckAsync(string image, string digest, string key = "signer.gpg", string identity = "")
    {
        string keyPath = PolicyFixtures.Dir("gpg", key);
        var policy = SignaturePolicyReader.Read("/etc/policy.json", System.Text.Encoding.UTF8.GetBytes($$$"""
            {"default": [{"type": "reject"}],
             "transports": {"docker": {"127.0.0.1:15987/lab": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "{{{keyPath}}}"{{{identity}}} }]} } }
            """));
        using var sources = new SignatureSources(RegistriesDirectory.Load(Path.Combine(root, "registries.d")), () => new RegistryOptions());
        return new SignaturePolicyCheck(policy, sources).CheckAsync(ImageReference.Parse(image), digest, null, CancellationToken.None);
    }

    [Fact]
    public async Task SkopeoSignature_IsAcceptedForItsTagAndForItsDigest()
    {
        PlaceSignature(Digest);

        Assert.Null(await CheckAsync(Image + ":v1", Digest));
        Assert.Null(await CheckAsync(Image + "@" + Digest, Digest));
    }

    [Fact]
    public async Task A11_SignatureCopiedIntoAnotherDigestsDirectory_IsRefusedAsDigestMismatch()
    {
        PlaceSignature(OtherDigest);

        var refusal = await CheckAsync(Image + ":v1", OtherDigest);

        Assert.NotNull(refusal);
        Assert.Equal(TrustFailure.DigestMismatch, refusal.Failure);
        Assert.Contains($"signature for digest {Digest} does not match {OtherDigest}", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("policy.json transports.docker[\"127.0.0.1:15987/lab\"]", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A13_SignatureForV1_DoesNotVouchForV2OfTheSameDigest_UnderTheDefaultIdentityRule()
    {
        PlaceSignature(Digest);

        var refusal = await CheckAsync(Image + ":v2", Digest);

        Assert.NotNull(refusal);
        Assert.Equal(TrustFailure.IdentityMismatch, refusal.Failure);
        Assert.Contains("identity-mismatch", refusal.Message, StringComparison.Ordinal);
        Assert.Null(await CheckAsync(Image + ":v2", Digest, identity: """, "signedIdentity": {"type": "matchRepository"}"""));
    }

    [Fact]
    public async Task SignatureByAnotherKey_IsRefusedAsWrongKey()
    {
        PlaceSignature(Digest);

        var refusal = await CheckAsync(Image + ":v1", Digest, key: "other.gpg");

        Assert.Equal(TrustFailure.WrongKey, refusal?.Failure);
    }

    [Fact]
    public async Task NoSignature_IsRefusedNamingWhereItLooked()
    {
        var refusal = await CheckAsync(Image + ":v1", Digest);

        Assert.Equal(TrustFailure.NoSignature, refusal?.Failure);
        Assert.Contains(Path.Combine(root, "lookaside"), refusal!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageOutsideTheSignedScope_FallsToTheDefaultReject()
    {
        var refusal = await CheckAsync("127.0.0.1:15987/elsewhere/app:v1", Digest);

        Assert.Equal(TrustFailure.Rejected, refusal?.Failure);
        Assert.Contains("(rule policy.json default)", refusal!.Message, StringComparison.Ordinal);
    }
}
