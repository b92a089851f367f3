using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.OpenSsl;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// A cosign public key (PEM "PUBLIC KEY", SubjectPublicKeyInfo) of a <c>sigstoreSigned</c> requirement: ECDSA P-256 (the
/// signature is ASN.1 DER over SHA-256 of the payload, as cosign writes it) or ed25519 (over the payload itself).
/// </summary>
public sealed class CosignPublicKey
{
    private readonly ECDsa? ecdsa;
    private readonly Ed25519PublicKeyParameters? ed25519;

    private CosignPublicKey(string source, ECDsa? ecdsa, Ed25519PublicKeyParameters? ed25519)
    {
        Source = source;
        this.ecdsa = ecdsa;
        this.ed25519 = ed25519;
    }

    public string Source { get; }

    /// <summary>Parses a PEM public key; anything else (RSA, other curves, a certificate, garbage) is an error naming <paramref name="source"/>.</summary>
    public static CosignPublicKey Parse(string source, string pem)
    {
        object? key;
        try
        {
            using var reader = new StringReader(pem);
            key = new PemReader(reader).ReadObject();
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or Org.BouncyCastle.Security.SecurityUtilityException)
        {
            throw new PolicyException($"{source}: not a PEM public key ({ex.Message})");
        }

        switch (key)
        {
            case Ed25519PublicKeyParameters ed:
                return new CosignPublicKey(source, null, ed);
            case ECPublicKeyParameters ec when ec.Parameters.Curve.FieldSize == 256 && ec.Parameters.N.BitLength == 256:
                var e = ECDsa.Create();
                try
                {
                    e.ImportFromPem(pem);
                }
                catch (CryptographicException ex)
                {
                    e.Dispose();
                    throw new PolicyException($"{source}: not an ECDSA P-256 public key ({ex.Message})");
                }

                if (e.ExportParameters(false).Curve.Oid.Value != "1.2.840.10045.3.1.7")
                {
                    e.Dispose();
                    throw new PolicyException($"{source}: only ECDSA P-256 and ed25519 cosign keys are supported");
                }

                return new CosignPublicKey(source, e, null);
            case null:
                throw new PolicyException($"{source}: no PEM public key found");
            default:
                throw new PolicyException($"{source}: only ECDSA P-256 and ed25519 cosign keys are supported (found {key.GetType().Name})");
        }
    }

    /// <summary>True when <paramref name="signature"/> is this key's signature over <paramref name="payload"/>.</summary>
    public bool Verify(byte[] payload, byte[] signature)
    {
        if (ecdsa is not null)
        {
            try
            {
                return ecdsa.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }
            catch (CryptographicException)
            {
                return false;
            }
        }

        var signer = new Ed25519Signer();
        signer.Init(false, ed25519);
        signer.BlockUpdate(payload, 0, payload.Length);
        return signer.VerifySignature(signature);
    }
}
