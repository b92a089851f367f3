using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Bulwark.Tuf;

/// <summary>
/// A Notary public key: <c>{"keytype", "keyval": {"private": null, "public": base64}}</c>. <c>public</c> is the DER
/// SubjectPublicKeyInfo (ecdsa, rsa), the 32 raw bytes (ed25519), or the PEM text of a certificate (ecdsa-x509, rsa-x509).
/// </summary>
public sealed record TufKey(string KeyType, string PublicBase64)
{
    public const string Ecdsa = "ecdsa";
    public const string EcdsaX509 = "ecdsa-x509";
    public const string Rsa = "rsa";
    public const string RsaX509 = "rsa-x509";
    public const string Ed25519 = "ed25519";

    private const int MinRsaBits = 2048;

    public bool IsCertificate => KeyType is EcdsaX509 or RsaX509;

    /// <summary>The key id: hex SHA-256 of the canonical key object (for a certificate key, the "cert id").</summary>
    public string Id => IdOf(KeyType, PublicBase64);

    /// <summary>
    /// The canonical id: the id of the same public key as a plain key object (a certificate's SPKI as "ecdsa" or "rsa").
    /// It names the root's private key file in ~/.docker/trust/private and is what root-keys pins.
    /// </summary>
    public string CanonicalId
    {
        get
        {
            if (!IsCertificate)
            {
                return Id;
            }

            using var cert = Certificate();
            byte[] spki = cert.PublicKey.ExportSubjectPublicKeyInfo();
            return IdOf(KeyType == EcdsaX509 ? Ecdsa : Rsa, Convert.ToBase64String(spki));
        }
    }

    public X509Certificate2 Certificate()
    {
        if (!IsCertificate)
        {
            throw new TufException($"key {Id[..12]} is a {KeyType} key, not a certificate");
        }

        string pem = Encoding.UTF8.GetString(Decode(PublicBase64, "certificate"));
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new TufException($"key {Id[..12]}: unreadable certificate: {ex.Message}");
        }
    }

    /// <summary>True when <paramref name="signature"/> by this key over <paramref name="message"/> is valid under <paramref name="method"/>.</summary>
    public bool Verify(string method, byte[] message, byte[] signature)
    {
        try
        {
            return (method.ToLowerInvariant(), KeyType) switch
            {
                ("ecdsa", Ecdsa or EcdsaX509) => VerifyEcdsa(message, signature),
                ("eddsa", Ed25519) => VerifyEd25519(message, signature),
                ("rsapss", Rsa or RsaX509) => VerifyRsa(message, signature, RSASignaturePadding.Pss),
                ("rsapkcs1v15", Rsa or RsaX509) => VerifyRsa(message, signature, RSASignaturePadding.Pkcs1),
                _ => false,
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public static string IdOf(string keyType, string publicBase64)
    {
        // {"keytype":…,"keyval":{"private":null,"public":…}} in canonical form.
        string canonical = "{\"keytype\":\"" + keyType + "\",\"keyval\":{\"private\":null,\"public\":\"" + publicBase64 + "\"}}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private bool VerifyEcdsa(byte[] message, byte[] signature)
    {
        using var ecdsa = KeyType == EcdsaX509 ? Certificate().GetECDsaPublicKey() : ImportEcdsa();
        if (ecdsa is null)
        {
            return false;
        }

        // Notary writes r‖s, each padded to the curve's size (IEEE P1363), never DER.
        int size = (ecdsa.KeySize + 7) / 8;
        return signature.Length == 2 * size
            && ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private ECDsa ImportEcdsa()
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(Decode(PublicBase64, "ecdsa key"), out _);
        return ecdsa;
    }

    private bool VerifyRsa(byte[] message, byte[] signature, RSASignaturePadding padding)
    {
        using var rsa = KeyType == RsaX509 ? Certificate().GetRSAPublicKey() : RSA.Create();
        if (rsa is null)
        {
            return false;
        }

        if (KeyType == Rsa)
        {
            rsa.ImportSubjectPublicKeyInfo(Decode(PublicBase64, "rsa key"), out _);
        }

        // .NET's PSS uses a salt as long as the hash (32 bytes for SHA-256), which is what Notary signs with.
        return rsa.KeySize >= MinRsaBits && rsa.VerifyData(message, signature, HashAlgorithmName.SHA256, padding);
    }

    private bool VerifyEd25519(byte[] message, byte[] signature)
    {
        byte[] key = Decode(PublicBase64, "ed25519 key");
        if (key.Length != Ed25519PublicKeyParameters.KeySize || signature.Length != Ed25519PrivateKeyParameters.SignatureSize)
        {
            return false;
        }

        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(key));
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature);
    }

    private static byte[] Decode(string base64, string what)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new TufException($"{what}: public key is not base64");
        }
    }
}
