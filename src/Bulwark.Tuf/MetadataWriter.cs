using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bulwark.Tuf;

/// <summary>A private ECDSA P-256 key that signs Notary metadata, and the public key object root or a delegation lists for it.</summary>
public sealed class TufSigningKey(ECDsa key, TufKey publicKey) : IDisposable
{
    public ECDsa Key { get; } = key;

    /// <summary>The listed key: <c>ecdsa</c> (base64 SPKI) or, for a root, <c>ecdsa-x509</c> (its certificate).</summary>
    public TufKey Public { get; } = publicKey;

    public string Id => Public.Id;

    /// <summary>A plain <c>ecdsa</c> key object for <paramref name="key"/>: what targets and delegation keys are.</summary>
    public static TufSigningKey Plain(ECDsa key) => new(key, new TufKey(TufKey.Ecdsa, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())));

    /// <summary>Notary's ecdsa signature: SHA-256 over the canonical bytes, r‖s (IEEE P1363), never DER.</summary>
    public byte[] Sign(byte[] canonical) =>
        Key.SignData(canonical, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => Key.Dispose();
}

/// <summary>
/// Writes Notary metadata as its Go client does: <c>{"signed":&lt;canonical&gt;,"signatures":[{"keyid","method","sig"}]}</c>, compact,
/// in that order. notary-server re-serialises what it stores before hashing it into the timestamp, so any other byte form
/// leaves the repository with a timestamp pointing at a checksum that was never stored (research/trust.md §1.3).
/// </summary>
public static class MetadataWriter
{
    /// <summary>Signs <paramref name="signed"/> with every key in <paramref name="keys"/> and returns the file's bytes.</summary>
    public static byte[] Sign(JsonObject signed, IEnumerable<TufSigningKey> keys)
    {
        byte[] canonical = Canonical(signed);
        var signatures = new List<JsonNode?>();
        foreach (var key in keys)
        {
            signatures.Add(new JsonObject
            {
                ["keyid"] = key.Id,
                ["method"] = "ecdsa",
                ["sig"] = Convert.ToBase64String(key.Sign(canonical)),
            });
        }

        // Go's struct order, not canonical order: "signed" first, then "signatures" (canonical sorting would swap them).
        using var file = new MemoryStream();
        file.Write("{\"signed\":"u8);
        file.Write(canonical);
        file.Write(",\"signatures\":"u8);
        file.Write(Canonical(new JsonArray([.. signatures])));
        file.Write("}"u8);
        return file.ToArray();
    }

    /// <summary>The canonical bytes of <paramref name="node"/>.</summary>
    public static byte[] Canonical(JsonNode node)
    {
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return CanonicalJson.Encode(doc.RootElement);
    }

    /// <summary>An expiry as Notary writes it (RFC 3339, UTC), whole seconds.</summary>
    public static string Expiry(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The key object <c>{"keytype","keyval":{"private":null,"public"}}</c>.</summary>
    public static JsonObject KeyObject(TufKey key) => new()
    {
        ["keytype"] = key.KeyType,
        ["keyval"] = new JsonObject { ["private"] = null, ["public"] = key.PublicBase64 },
    };

    /// <summary><c>{"hashes":{"sha256":b64},"length":n}</c> for a target (a manifest) or a metadata file.</summary>
    public static JsonObject FileMetaObject(byte[] sha256, long length) => new()
    {
        ["hashes"] = new JsonObject { ["sha256"] = Convert.ToBase64String(sha256) },
        ["length"] = length,
    };
}
