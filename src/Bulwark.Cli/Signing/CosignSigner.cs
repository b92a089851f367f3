using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Cli.Signing;

/// <summary>
/// cosign's key-based signature as the legacy <c>.sig</c> form holds it: the simple-signing payload cosign writes (the
/// repository as identity, the manifest digest, type "cosign container image signature", <c>"optional":null</c>), signed
/// with ECDSA P-256 over SHA-256 (DER), the signature in base64. The key is an unencrypted PEM private key (PKCS#8
/// <c>PRIVATE KEY</c> or SEC1 <c>EC PRIVATE KEY</c>); cosign's own encrypted key format is refused naming it.
/// </summary>
internal static class CosignSigner
{
    public const string Type = "cosign container image signature";

    public static byte[] Payload(string repository, string digest) => Encoding.UTF8.GetBytes(
        "{\"critical\":{\"identity\":{\"docker-reference\":\"" + repository + "\"},\"image\":{\"docker-manifest-digest\":\"" + digest
        + "\"},\"type\":\"" + Type + "\"},\"optional\":null}");

    public static string Sign(string pem, string keyName, byte[] payload)
    {
        if (pem.Contains("ENCRYPTED COSIGN PRIVATE KEY", StringComparison.Ordinal) || pem.Contains("ENCRYPTED SIGSTORE PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new CliException(1, $"{keyName}: cosign's encrypted key format is not supported; give an unencrypted PEM private key (PRIVATE KEY or EC PRIVATE KEY)");
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new CliException(1, $"{keyName}: not an ECDSA PEM private key: {ex.Message}");
        }

        if (key.KeySize != 256)
        {
            throw new CliException(1, $"{keyName}: an ECDSA P-256 key is required (this one has {key.KeySize} bits)");
        }

        return Convert.ToBase64String(key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }
}
