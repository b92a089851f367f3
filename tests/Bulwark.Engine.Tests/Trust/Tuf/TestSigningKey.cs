using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Bulwark.Tuf;

namespace Bulwark.Engine.Tests.Trust.Tuf;

/// <summary>A key that signs test metadata the way Notary does: ecdsa (P1363), eddsa, rsapss; root keys as self-signed certificates.</summary>
public sealed class TestSigningKey
{
    private readonly Func<byte[], byte[]> sign;

    private TestSigningKey(TufKey key, string method, Func<byte[], byte[]> sign)
    {
        Public = key;
        Method = method;
        this.sign = sign;
    }

    public TufKey Public { get; }

    public string Method { get; }

    public string Id => Public.Id;

    public byte[] Sign(byte[] message) => sign(message);

    public static TestSigningKey Ecdsa()
    {
        var k = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new(new TufKey(TufKey.Ecdsa, Convert.ToBase64String(k.ExportSubjectPublicKeyInfo())), "ecdsa",
            m => k.SignData(m, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    public static TestSigningKey Ed25519()
    {
        var k = new Ed25519PrivateKeyParameters(new SecureRandom());
        return new(new TufKey(TufKey.Ed25519, Convert.ToBase64String(k.GeneratePublicKey().GetEncoded())), "eddsa", m =>
        {
            var s = new Ed25519Signer();
            s.Init(true, k);
            s.BlockUpdate(m, 0, m.Length);
            return s.GenerateSignature();
        });
    }

    public static TestSigningKey RsaPss()
    {
        var k = RSA.Create(2048);
        return new(new TufKey(TufKey.Rsa, Convert.ToBase64String(k.ExportSubjectPublicKeyInfo())), "rsapss",
            m => k.SignData(m, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    /// <summary>A root key: an ecdsa-x509 certificate with CN = <paramref name="cn"/> (the GUN), as notary makes them.</summary>
    public static TestSigningKey RootCertificate(string cn, bool ca = false, DateTimeOffset? notAfter = null)
    {
        var k = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=" + cn, k, HashAlgorithmName.SHA256);
        if (ca)
        {
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        }

        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(10));
        string pem = cert.ExportCertificatePem() + "\n";
        return new(new TufKey(TufKey.EcdsaX509, Convert.ToBase64String(Encoding.UTF8.GetBytes(pem))), "ecdsa",
            m => k.SignData(m, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }
}
