using System.Security.Cryptography;
using System.Text.Json;

namespace Bulwark.Tuf;

/// <summary>Which keys may sign a role, and how many must.</summary>
public sealed record RoleKeys(IReadOnlyList<string> KeyIds, int Threshold);

/// <summary>A delegated targets role declared in targets.json (<c>targets/releases</c>, <c>targets/alice</c>).</summary>
public sealed record DelegatedRole(string Name, RoleKeys Keys, IReadOnlyList<string> Paths)
{
    /// <summary>Whether the delegation may sign <paramref name="target"/>: a path "" covers every name.</summary>
    public bool Covers(string target) => Paths.Any(p => target.StartsWith(p, StringComparison.Ordinal));
}

/// <summary>The length and hashes a parent records for a file (snapshot in timestamp, targets in snapshot, a tag in targets).</summary>
public sealed record FileMeta(long Length, IReadOnlyDictionary<string, byte[]> Hashes)
{
    /// <summary>The sha256 as hex, or null.</summary>
    public string? Sha256Hex => Hashes.TryGetValue("sha256", out var h) ? Convert.ToHexStringLower(h) : null;

    /// <summary>Checks exact bytes against the recorded length and every recorded sha256/sha512 (at least one must be present).</summary>
    public void Verify(string what, byte[] bytes)
    {
        if (bytes.Length != Length)
        {
            throw new TufException($"{what}: trust data mismatch: length {bytes.Length}, signed length {Length}", TrustFailure.DigestMismatch);
        }

        int checkedHashes = 0;
        foreach (var (algorithm, expected) in Hashes)
        {
            byte[]? actual = algorithm switch
            {
                "sha256" => SHA256.HashData(bytes),
                "sha512" => SHA512.HashData(bytes),
                _ => null,
            };
            if (actual is null)
            {
                continue;
            }

            checkedHashes++;
            if (!CryptographicOperations.FixedTimeEquals(actual, expected))
            {
                throw new TufException($"{what}: trust data mismatch: {algorithm} differs from the signed hash", TrustFailure.DigestMismatch);
            }
        }

        if (checkedHashes == 0)
        {
            throw new TufException($"{what}: no sha256 or sha512 hash recorded");
        }
    }

    internal static FileMeta Read(JsonElement e, string what)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("length", out var len) || !len.TryGetInt64(out long length) || length < 0
            || !e.TryGetProperty("hashes", out var hashes) || hashes.ValueKind != JsonValueKind.Object)
        {
            throw new TufException($"{what}: malformed length/hashes");
        }

        var map = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var h in hashes.EnumerateObject())
        {
            try
            {
                map[h.Name] = Convert.FromBase64String(h.Value.GetString() ?? "");
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                throw new TufException($"{what}: hash {h.Name} is not base64");
            }
        }

        return new FileMeta(length, map);
    }
}

/// <summary>Readers of the <c>signed</c> part of each role, in the Notary dialect.</summary>
public static class TufRoles
{
    /// <summary>root.json: every top-level key, and the keys and threshold of root, targets, snapshot and timestamp.</summary>
    public static (IReadOnlyDictionary<string, TufKey> Keys, IReadOnlyDictionary<string, RoleKeys> Roles) Root(SignedMetadata root)
    {
        var keys = Keys(root.Signed, "keys", "root");
        var roles = new Dictionary<string, RoleKeys>(StringComparer.Ordinal);
        if (!root.Signed.TryGetProperty("roles", out var r) || r.ValueKind != JsonValueKind.Object)
        {
            throw new TufException("root: missing roles");
        }

        foreach (string name in (string[])["root", "targets", "snapshot", "timestamp"])
        {
            roles[name] = r.TryGetProperty(name, out var role) ? Role(role, "root: role " + name) : throw new TufException($"root: role {name} is missing");
        }

        return (keys, roles);
    }

    /// <summary>timestamp.json and snapshot.json: <c>meta</c>, file name → length and hashes.</summary>
    public static IReadOnlyDictionary<string, FileMeta> Meta(SignedMetadata metadata)
    {
        if (!metadata.Signed.TryGetProperty("meta", out var meta) || meta.ValueKind != JsonValueKind.Object)
        {
            throw new TufException($"{metadata.Role}: missing meta");
        }

        return meta.EnumerateObject().ToDictionary(p => p.Name, p => FileMeta.Read(p.Value, $"{metadata.Role}: meta {p.Name}"), StringComparer.Ordinal);
    }

    /// <summary>targets.json or a delegation: <c>targets</c> (tag → manifest hash and length) and declared delegations.</summary>
    public static (IReadOnlyDictionary<string, FileMeta> Targets, IReadOnlyDictionary<string, TufKey> DelegationKeys, IReadOnlyList<DelegatedRole> Delegations)
        Targets(SignedMetadata targets)
    {
        if (!targets.Signed.TryGetProperty("targets", out var t) || t.ValueKind != JsonValueKind.Object)
        {
            throw new TufException($"{targets.Role}: missing targets");
        }

        var map = t.EnumerateObject().ToDictionary(p => p.Name, p => FileMeta.Read(p.Value, $"{targets.Role}: target {p.Name}"), StringComparer.Ordinal);
        if (!targets.Signed.TryGetProperty("delegations", out var d) || d.ValueKind != JsonValueKind.Object)
        {
            return (map, new Dictionary<string, TufKey>(), []);
        }

        var keys = Keys(d, "keys", targets.Role + " delegations");
        var roles = new List<DelegatedRole>();
        if (d.TryGetProperty("roles", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var role in list.EnumerateArray())
            {
                string name = SignedMetadata.Str(role, "name") ?? throw new TufException($"{targets.Role}: delegation without a name");
                if (!name.StartsWith(targets.Role + "/", StringComparison.Ordinal))
                {
                    throw new TufException($"{targets.Role}: delegation {name} is not a child of {targets.Role}");
                }

                var paths = role.TryGetProperty("paths", out var p) && p.ValueKind == JsonValueKind.Array
                    ? p.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
                    : [];
                roles.Add(new DelegatedRole(name, Role(role, $"{targets.Role}: delegation {name}"), paths));
            }
        }

        return (map, keys, roles);
    }

    private static Dictionary<string, TufKey> Keys(JsonElement parent, string property, string what)
    {
        var keys = new Dictionary<string, TufKey>(StringComparer.Ordinal);
        if (!parent.TryGetProperty(property, out var k) || k.ValueKind != JsonValueKind.Object)
        {
            return keys;
        }

        foreach (var p in k.EnumerateObject())
        {
            string? type = SignedMetadata.Str(p.Value, "keytype");
            string? pub = p.Value.TryGetProperty("keyval", out var kv) ? SignedMetadata.Str(kv, "public") : null;
            if (type is null || pub is null)
            {
                throw new TufException($"{what}: key {p.Name} is malformed");
            }

            keys[p.Name] = new TufKey(type, pub);
        }

        return keys;
    }

    private static RoleKeys Role(JsonElement role, string what)
    {
        if (!role.TryGetProperty("keyids", out var ids) || ids.ValueKind != JsonValueKind.Array
            || !role.TryGetProperty("threshold", out var th) || !th.TryGetInt32(out int threshold))
        {
            throw new TufException($"{what}: keyids or threshold missing");
        }

        return new RoleKeys(ids.EnumerateArray().Select(i => i.GetString() ?? "").ToList(), threshold);
    }
}
