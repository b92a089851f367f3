using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// The OpenPGP public keys of a <c>signedBy</c> requirement (<c>keyPath</c>, <c>keyPaths</c> or <c>keyData</c>; binary or
/// ASCII-armored keyrings, as <c>gpg --export</c> writes them), and the verification of a "simple signing" signature: an
/// OpenPGP signed message (optionally compressed) whose literal data is the payload JSON.
/// </summary>
public sealed class OpenPgpKeyring
{
    private const int MaxPayloadBytes = 4 * 1024 * 1024;
    private readonly List<PgpPublicKeyRingBundle> bundles;

    private OpenPgpKeyring(List<PgpPublicKeyRingBundle> bundles, string source)
    {
        this.bundles = bundles;
        Source = source;
    }

    /// <summary>Where the keys came from ("/etc/pki/signer.gpg", "keyData"), for messages.</summary>
    public string Source { get; }

    /// <summary>Reads one or more keyrings; an unreadable file or a keyring without any key is an error naming it.</summary>
    public static OpenPgpKeyring Load(IReadOnlyList<(string Name, byte[] Bytes)> sources)
    {
        var bundles = new List<PgpPublicKeyRingBundle>();
        foreach (var (name, bytes) in sources)
        {
            PgpPublicKeyRingBundle bundle;
            try
            {
                using var input = PgpUtilities.GetDecoderStream(new MemoryStream(bytes));
                bundle = new PgpPublicKeyRingBundle(input);
            }
            catch (Exception ex) when (ex is IOException or PgpException or ArgumentException or InvalidOperationException)
            {
                throw new PolicyException($"{name}: not an OpenPGP public keyring ({ex.Message})");
            }

            if (bundle.Count == 0)
            {
                throw new PolicyException($"{name}: the keyring holds no public key");
            }

            bundles.Add(bundle);
        }

        return new OpenPgpKeyring(bundles, string.Join(", ", sources.Select(s => s.Name)));
    }

    /// <summary>
    /// Verifies <paramref name="signature"/> and returns the signed payload, or null with the reason (unreadable, signed by a key
    /// not in this keyring, or a bad signature).
    /// </summary>
    public byte[]? Verify(byte[] signature, out string reason)
    {
        reason = "";
        try
        {
            using var input = PgpUtilities.GetDecoderStream(new MemoryStream(signature));
            var factory = new PgpObjectFactory(input);
            var next = factory.NextPgpObject();
            if (next is PgpCompressedData compressed)
            {
                factory = new PgpObjectFactory(compressed.GetDataStream());
                next = factory.NextPgpObject();
            }

            if (next is not PgpOnePassSignatureList { Count: 1 } onePass)
            {
                reason = "not an OpenPGP signed message";
                return null;
            }

            var header = onePass[0];
            var key = bundles.Select(b => b.GetPublicKey(header.KeyId)).FirstOrDefault(k => k is not null);
            if (factory.NextPgpObject() is not PgpLiteralData literal)
            {
                reason = "the signed message holds no literal data";
                return null;
            }

            byte[] payload = ReadLimited(literal.GetInputStream());
            if (key is null)
            {
                reason = $"signed by key {header.KeyId:X16}, which is not among the trusted keys ({Source})";
                return null;
            }

            header.InitVerify(key);
            header.Update(payload);
            if (factory.NextPgpObject() is not PgpSignatureList { Count: 1 } sigs || !header.Verify(sigs[0]))
            {
                reason = $"invalid OpenPGP signature by key {header.KeyId:X16}";
                return null;
            }

            return payload;
        }
        catch (Exception ex) when (ex is IOException or PgpException or InvalidOperationException or ArgumentException)
        {
            reason = "invalid OpenPGP signature (" + ex.Message + ")";
            return null;
        }
    }

    private static byte[] ReadLimited(Stream s)
    {
        using var ms = new MemoryStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (ms.Length + n > MaxPayloadBytes)
            {
                throw new InvalidOperationException($"signed payload larger than {MaxPayloadBytes} bytes");
            }

            ms.Write(buffer, 0, n);
        }

        return ms.ToArray();
    }
}
