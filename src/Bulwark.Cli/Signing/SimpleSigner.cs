using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;

namespace Bulwark.Cli.Signing;

/// <summary>
/// containers "simple signing" (containers-signature(5)) as skopeo writes it: an OpenPGP signed message (one-pass signature,
/// literal data, signature; SHA-256) whose literal data is the payload JSON naming the image's reference and manifest digest,
/// type "atomic container signature". The key is an OpenPGP secret keyring (<c>gpg --export-secret-keys</c>, armored or not).
/// </summary>
internal static class SimpleSigner
{
    public const string Type = "atomic container signature";

    public static byte[] Payload(string reference, string digest)
    {
        var sb = new StringBuilder();
        sb.Append("{\"critical\":{\"identity\":{\"docker-reference\":\"").Append(Json(reference)).Append("\"},\"image\":{\"docker-manifest-digest\":\"")
            .Append(Json(digest)).Append("\"},\"type\":\"").Append(Type).Append("\"},\"optional\":{\"creator\":\"bulwark\",\"timestamp\":")
            .Append(DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("}}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Signs <paramref name="payload"/> with the first signing key of the keyring; a wrong passphrase or no signing key is a <see cref="CliException"/>.</summary>
    public static byte[] Sign(byte[] secretKeyring, string keyName, char[] passphrase, byte[] payload)
    {
        PgpSecretKey? secret;
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(secretKeyring));
            var bundle = new PgpSecretKeyRingBundle(input);
            secret = bundle.GetKeyRings().SelectMany(r => r.GetSecretKeys()).FirstOrDefault(k => k.IsSigningKey && !k.IsPrivateKeyEmpty);
        }
        catch (Exception ex) when (ex is IOException or PgpException or ArgumentException or InvalidOperationException)
        {
            throw new CliException(1, $"{keyName}: not an OpenPGP secret keyring (gpg --export-secret-keys): {ex.Message}");
        }

        if (secret is null)
        {
            throw new CliException(1, $"{keyName}: the keyring holds no secret signing key");
        }

        PgpPrivateKey priv;
        try
        {
            priv = secret.ExtractPrivateKey(passphrase);
        }
        catch (PgpException ex)
        {
            throw new CliException(1, $"{keyName}: cannot unlock the secret key (BULWARK_SIGNING_PASSPHRASE): {ex.Message}");
        }

        var gen = new PgpSignatureGenerator(secret.PublicKey.Algorithm, HashAlgorithmTag.Sha256);
        gen.InitSign(PgpSignature.BinaryDocument, priv, new SecureRandom());
        var sub = new PgpSignatureSubpacketGenerator();
        sub.SetIssuerFingerprint(false, secret.PublicKey);
        sub.SetSignatureCreationTime(false, DateTime.UtcNow);
        gen.SetHashedSubpackets(sub.Generate());
        using var ms = new MemoryStream();
        var bcpg = new BcpgOutputStream(ms);
        gen.GenerateOnePassVersion(false).Encode(bcpg);
        var literal = new PgpLiteralDataGenerator();
        using (var body = literal.Open(bcpg, PgpLiteralData.Binary, "", payload.Length, DateTime.UtcNow))
        {
            body.Write(payload);
        }

        gen.Update(payload);
        gen.Generate().Encode(bcpg);
        bcpg.Flush();
        return ms.ToArray();
    }

    private static string Json(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
