using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bulwark.Tuf;

/// <summary>
/// One Notary metadata file as served: <c>{"signed": {...}, "signatures": [{"keyid", "method", "sig"}]}</c>. Keeps the exact
/// bytes (parents hash those) and the canonical form of <c>signed</c> (signatures cover that, unknown fields included).
/// </summary>
public sealed partial class SignedMetadata
{
    private SignedMetadata(string role, byte[] raw, JsonElement signed, byte[] canonical, IReadOnlyList<TufSignature> signatures)
    {
        Role = role;
        Raw = raw;
        Signed = signed;
        Canonical = canonical;
        Signatures = signatures;
        Version = signed.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) && n >= 1
            ? n
            : throw new TufException($"{role}: missing or invalid version");
        Expires = signed.TryGetProperty("expires", out var e) && e.ValueKind == JsonValueKind.String && ParseTime(e.GetString()!) is { } t
            ? t
            : throw new TufException($"{role}: missing or invalid expiry");
    }

    /// <summary>"root", "timestamp", "snapshot", "targets", "targets/releases".</summary>
    public string Role { get; }

    public byte[] Raw { get; }

    public JsonElement Signed { get; }

    public byte[] Canonical { get; }

    public IReadOnlyList<TufSignature> Signatures { get; }

    public int Version { get; }

    public DateTimeOffset Expires { get; }

    /// <summary>Parses <paramref name="raw"/> as the metadata of <paramref name="role"/>, checking its <c>_type</c>.</summary>
    public static SignedMetadata Parse(string role, byte[] raw)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(raw);
            root = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new TufException($"{role}: not JSON: {ex.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("signed", out var signed) || signed.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("signatures", out var sigs) || sigs.ValueKind != JsonValueKind.Array)
        {
            throw new TufException($"{role}: not a signed metadata file");
        }

        string expected = TypeOf(role);
        if (!signed.TryGetProperty("_type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != expected)
        {
            throw new TufException($"{role}: _type is not \"{expected}\"");
        }

        var signatures = new List<TufSignature>();
        foreach (var s in sigs.EnumerateArray())
        {
            string? keyId = Str(s, "keyid");
            string? method = Str(s, "method");
            string? sig = Str(s, "sig");
            if (keyId is null || method is null || sig is null)
            {
                throw new TufException($"{role}: malformed signature entry");
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(sig);
            }
            catch (FormatException)
            {
                throw new TufException($"{role}: signature by {keyId} is not base64");
            }

            signatures.Add(new TufSignature(keyId, method, bytes));
        }

        return new SignedMetadata(role, raw, signed, CanonicalJson.Encode(signed), signatures);
    }

    /// <summary>"Root" for root, "Targets" for targets and every delegation.</summary>
    public static string TypeOf(string role) => role switch
    {
        "root" => "Root",
        "timestamp" => "Timestamp",
        "snapshot" => "Snapshot",
        _ => "Targets",
    };

    /// <summary>
    /// Checks that at least <paramref name="threshold"/> distinct keys of <paramref name="keyIds"/> (looked up in <paramref name="keys"/>)
    /// signed. Signatures by other keys are skipped; a listed key whose id does not match its content is an error.
    /// </summary>
    public void VerifyThreshold(IReadOnlyDictionary<string, TufKey> keys, IEnumerable<string> keyIds, int threshold)
    {
        if (threshold < 1)
        {
            throw new TufException($"{Role}: threshold {threshold} is below 1");
        }

        var allowed = keyIds.ToHashSet(StringComparer.Ordinal);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sig in Signatures)
        {
            if (!allowed.Contains(sig.KeyId) || !keys.TryGetValue(sig.KeyId, out var key))
            {
                continue;
            }

            if (key.Id != sig.KeyId)
            {
                throw new TufException($"{Role}: key id {sig.KeyId} does not match the key's content");
            }

            if (key.Verify(sig.Method, Canonical, sig.Signature))
            {
                valid.Add(sig.KeyId);
            }
        }

        if (valid.Count < threshold)
        {
            throw new TufException($"{Role}: insufficient signatures: {valid.Count} valid, threshold is {threshold}");
        }
    }

    /// <summary>Refuses metadata whose expiry has passed at <paramref name="now"/>.</summary>
    public void VerifyNotExpired(DateTimeOffset now)
    {
        if (Expires <= now)
        {
            throw new TufException($"{Role} expired at {Expires.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", TrustFailure.Expired);
        }
    }

    /// <summary>Refuses a version lower than the one already trusted (rollback).</summary>
    public void VerifyNotOlderThan(SignedMetadata? trusted)
    {
        if (trusted is not null && Version < trusted.Version)
        {
            throw new TufException(
                $"potential malicious behavior: {Role} version {Version} is lower than the trusted version {trusted.Version}", TrustFailure.Rollback);
        }
    }

    public static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>RFC 3339 with up to nine fractional digits (Go writes nanoseconds; .NET reads seven).</summary>
    public static DateTimeOffset? ParseTime(string s)
    {
        var m = FractionPattern().Match(s);
        if (m.Success)
        {
            string digits = m.Groups[1].Value;
            s = s[..m.Index] + (digits.Length > 7 ? "." + digits[..7] : m.Value) + s[(m.Index + m.Length)..];
        }

        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;
    }

    [GeneratedRegex(@"\.(\d+)")]
    private static partial Regex FractionPattern();
}

/// <summary>One entry of <c>signatures</c>.</summary>
public sealed record TufSignature(string KeyId, string Method, byte[] Signature);
