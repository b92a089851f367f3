using Bulwark.Engine.Trust.Policy;

namespace Bulwark.Engine.Tests.Trust.Policy;

/// <summary>containers/image's cosign test vectors: the valid ones verify with cosign.pub and name their manifest's digest; the invalid ones do not.</summary>
public sealed class CosignVerificationTests
{
    private static CosignPublicKey Key(string name) => CosignPublicKey.Parse(name, File.ReadAllText(PolicyFixtures.Dir("cosign", name)));

    [Theory]
    [InlineData("dir-img-cosign-valid", "signature-1")]
    [InlineData("dir-img-cosign-valid-2", "signature-1")]
    [InlineData("dir-img-cosign-valid-2", "signature-2")]
    public void ValidVectors_VerifyWithCosignPub_AndNameTheirManifestDigest(string image, string signature)
    {
        var (payload, sig) = PolicyFixtures.ReadSigstore(PolicyFixtures.Dir("cosign", image, signature));

        Assert.True(Key("cosign.pub").Verify(payload, sig));
        var parsed = SigningPayload.Parse(payload, SigningPayload.CosignType, out string why);
        Assert.True(parsed is not null, why);
        Assert.Equal(PolicyFixtures.ManifestDigest(PolicyFixtures.Dir("cosign", image)), parsed.ManifestDigest);
    }

    [Fact]
    public void ModifiedManifestVector_VerifiesCryptographically_ButNamesAnotherDigest()
    {
        const string image = "dir-img-cosign-modified-manifest";
        var (payload, sig) = PolicyFixtures.ReadSigstore(PolicyFixtures.Dir("cosign", image, "signature-1"));

        Assert.True(Key("cosign.pub").Verify(payload, sig));
        var parsed = SigningPayload.Parse(payload, SigningPayload.CosignType, out _);
        Assert.NotNull(parsed);
        Assert.NotEqual(PolicyFixtures.ManifestDigest(PolicyFixtures.Dir("cosign", image)), parsed.ManifestDigest);
    }

    [Fact]
    public void SignatureByAnUnknownKey_DoesNotVerify()
    {
        var (payload, sig) = PolicyFixtures.ReadSigstore(PolicyFixtures.Dir("cosign", "unknown-cosign-key.signature"));

        Assert.False(Key("cosign.pub").Verify(payload, sig));
        Assert.False(Key("cosign2.pub").Verify(payload, sig));
    }

    [Fact]
    public void MixedVector_OneUnknownKeySignatureAndOneValid_OnlyTheValidOneVerifies()
    {
        var unknown = PolicyFixtures.ReadSigstore(PolicyFixtures.Dir("cosign", "dir-img-cosign-mixed", "signature-1"));
        var valid = PolicyFixtures.ReadSigstore(PolicyFixtures.Dir("cosign", "dir-img-cosign-mixed", "signature-2"));

        Assert.False(Key("cosign.pub").Verify(unknown.Payload, unknown.Signature));
        Assert.True(Key("cosign.pub").Verify(valid.Payload, valid.Signature));
    }

    [Fact]
    public void ValidSignature_WithAnotherKey_DoesNotVerify()
    {
        var (payload, sig) = PolicyFixtures.ReadSigstore(PolicyFixtures.Dir("cosign", "dir-img-cosign-valid", "signature-1"));

        Assert.False(Key("cosign2.pub").Verify(payload, sig));
    }

    [Fact]
    public void OneFlippedPayloadByte_FailsVerification()
    {
        var (payload, sig) = PolicyFixtures.ReadSigstore(PolicyFixtures.Dir("cosign", "dir-img-cosign-valid", "signature-1"));
        payload[10] ^= 1;

        Assert.False(Key("cosign.pub").Verify(payload, sig));
    }

    [Fact]
    public void Ed25519Key_VerifiesItsSignature()
    {
        var gen = new Org.BouncyCastle.Crypto.Generators.Ed25519KeyPairGenerator();
        gen.Init(new Org.BouncyCastle.Crypto.Parameters.Ed25519KeyGenerationParameters(new Org.BouncyCastle.Security.SecureRandom()));
        var pair = gen.GenerateKeyPair();
        using var sw = new StringWriter();
        var pem = new Org.BouncyCastle.OpenSsl.PemWriter(sw);
        pem.WriteObject(pair.Public);
        pem.Writer.Flush();
        byte[] payload = SigningPayload.Create("r.example/app", "sha256:" + new string('a', 64), SigningPayload.CosignType, "test");
        var signer = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
        signer.Init(true, pair.Private);
        signer.BlockUpdate(payload, 0, payload.Length);
        byte[] sig = signer.GenerateSignature();

        var key = CosignPublicKey.Parse("ed25519.pub", sw.ToString());
        Assert.True(key.Verify(payload, sig));
        sig[0] ^= 1;
        Assert.False(key.Verify(payload, sig));
    }

    [Fact]
    public void RsaKey_IsRefusedNamingTheSource()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var ex = Assert.Throws<PolicyException>(() => CosignPublicKey.Parse("/keys/rsa.pub", rsa.ExportSubjectPublicKeyInfoPem()));
        Assert.Contains("/keys/rsa.pub", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ECDSA P-256 and ed25519", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PayloadWithAnUnknownCriticalField_IsRefused()
    {
        byte[] payload = """{"critical":{"identity":{"docker-reference":"r/a"},"image":{"docker-manifest-digest":"sha256:00"},"type":"cosign container image signature","extra":1},"optional":null}"""u8.ToArray();

        Assert.Null(SigningPayload.Parse(payload, SigningPayload.CosignType, out string why));
        Assert.Contains("critical.extra", why, StringComparison.Ordinal);
    }

    [Fact]
    public void PayloadOfTheOtherFormat_IsRefused()
    {
        byte[] payload = SigningPayload.Create("r.example/app:v1", "sha256:" + new string('a', 64), SigningPayload.AtomicType, "test");

        Assert.Null(SigningPayload.Parse(payload, SigningPayload.CosignType, out string why));
        Assert.Contains("atomic container signature", why, StringComparison.Ordinal);
    }
}
