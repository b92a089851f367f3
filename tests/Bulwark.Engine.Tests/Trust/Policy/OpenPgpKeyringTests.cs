using Bulwark.Engine.Trust.Policy;

namespace Bulwark.Engine.Tests.Trust.Policy;

/// <summary>A simple-signing signature made by skopeo 1.9.3 with GnuPG (Fixtures/gpg) checked against binary and armored keyrings.</summary>
public sealed class OpenPgpKeyringTests
{
    private static OpenPgpKeyring Ring(string file) => OpenPgpKeyring.Load([(file, File.ReadAllBytes(PolicyFixtures.Dir("gpg", file)))]);

    private static byte[] Signature() => File.ReadAllBytes(PolicyFixtures.Dir("gpg", "signature-1"));

    [Theory]
    [InlineData("signer.gpg")]
    [InlineData("signer.asc")]
    public void SkopeoSignature_VerifiesWithTheSignersKey_AndCarriesTheSignedDigestAndIdentity(string keyring)
    {
        byte[]? payload = Ring(keyring).Verify(Signature(), out string why);

        Assert.True(payload is not null, why);
        var parsed = SigningPayload.Parse(payload, SigningPayload.AtomicType, out why);
        Assert.True(parsed is not null, why);
        Assert.Equal(PolicyFixtures.ManifestDigest(PolicyFixtures.Dir("gpg")), parsed.ManifestDigest);
        Assert.Equal("127.0.0.1:15987/lab/gpg:v1", parsed.DockerReference);
    }

    [Fact]
    public void SkopeoSignature_WithAnotherKey_IsRefusedNamingTheSigningKey()
    {
        Assert.Null(Ring("other.gpg").Verify(Signature(), out string why));
        Assert.Contains("not among the trusted keys", why, StringComparison.Ordinal);
    }

    [Fact]
    public void SignatureWithOneFlippedByte_IsRefused()
    {
        byte[] sig = Signature();
        sig[^8] ^= 0x40;

        Assert.Null(Ring("signer.gpg").Verify(sig, out string why));
        Assert.NotEmpty(why);
    }

    [Fact]
    public void KeyringThatIsNotOpenPgp_IsRefusedNamingTheFile()
    {
        var ex = Assert.Throws<PolicyException>(() => OpenPgpKeyring.Load([("/keys/garbage.gpg", "not a key"u8.ToArray())]));
        Assert.Contains("/keys/garbage.gpg", ex.Message, StringComparison.Ordinal);
    }
}
