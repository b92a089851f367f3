using System.Text;
using Bulwark.Cli.Commands;
using Bulwark.Cli.Signing;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace Bulwark.Cli.Tests.Signing;

public sealed class SimpleSignerTests
{
    private static (byte[] Secret, PgpPublicKey Public) NewKey(string passphrase)
    {
        var gen = new RsaKeyPairGenerator();
        gen.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(0x10001), new SecureRandom(), 2048, 12));
        var pair = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, gen.GenerateKeyPair(), DateTime.UtcNow);
        var secret = new PgpSecretKey(PgpSignature.DefaultCertification, pair, "test@bulwark.invalid", SymmetricKeyAlgorithmTag.Aes256,
            passphrase.ToCharArray(), true, null, null, new SecureRandom());
        return (secret.GetEncoded(), secret.PublicKey);
    }

    [Fact]
    public void Signature_IsAOnePassSignedMessageOfThePayload_ThatVerifiesWithThePublicKey()
    {
        var (secret, pub) = NewKey("pw");
        byte[] payload = SimpleSigner.Payload("r.example:5000/team/app:v1", "sha256:" + new string('a', 64));

        byte[] sig = SimpleSigner.Sign(secret, "k.gpg", "pw".ToCharArray(), payload);

        var factory = new PgpObjectFactory(sig);
        var onePass = ((PgpOnePassSignatureList)factory.NextPgpObject())[0];
        var literal = (PgpLiteralData)factory.NextPgpObject();
        using var ms = new MemoryStream();
        literal.GetInputStream().CopyTo(ms);
        onePass.InitVerify(pub);
        onePass.Update(ms.ToArray());
        Assert.True(onePass.Verify(((PgpSignatureList)factory.NextPgpObject())[0]));
        Assert.Equal(payload, ms.ToArray());
        string json = Encoding.UTF8.GetString(payload);
        Assert.Contains("\"docker-reference\":\"r.example:5000/team/app:v1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"atomic container signature\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongPassphrase_FailsNamingTheKeyFile()
    {
        var (secret, _) = NewKey("right");

        var ex = Assert.Throws<CliException>(() => SimpleSigner.Sign(secret, "/keys/k.gpg", "wrong".ToCharArray(), [1]));
        Assert.Contains("/keys/k.gpg", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox", "latest", "library/busybox")]
    [InlineData("team/app:v1", "docker.io/team/app", "v1", "team/app")]
    [InlineData("127.0.0.1:5000/team/app:v2", "127.0.0.1:5000/team/app", "v2", "team/app")]
    [InlineData("localhost/app", "localhost/app", "latest", "app")]
    public void ImageName_IsNormalisedAsTheRegistrySeesIt(string input, string repository, string tag, string path)
    {
        var n = ImageName.Parse(input);
        Assert.Equal(repository, n.Repository);
        Assert.Equal(tag, n.Tag);
        Assert.Equal(path, n.Path);
    }
}
