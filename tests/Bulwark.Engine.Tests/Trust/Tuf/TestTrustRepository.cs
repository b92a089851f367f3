using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Engine.Trust.Tuf;
using Bulwark.Tuf;

namespace Bulwark.Engine.Tests.Trust.Tuf;

/// <summary>
/// Generates a Notary v1 repository (notary dialect: capitalised _type, base64 hashes and signatures, method per signature)
/// and serves it from memory like notary-server's URL layout: <c>role.json</c>, <c>role.&lt;sha256&gt;.json</c>, <c>N.root.json</c>.
/// Every field an attack needs is settable; <see cref="Publish"/> re-signs everything.
/// </summary>
public sealed class TestTrustRepository : ITrustMetadataSource
{
    private readonly Dictionary<string, byte[]> files = new(StringComparer.Ordinal);

    public TestTrustRepository(string gun)
    {
        Gun = gun;
        RootKeys = [TestSigningKey.RootCertificate(gun)];
    }

    public string Gun { get; }

    public Uri Url { get; } = new("https://notary.test/");

    public bool Unreachable { get; set; }

    public List<TestSigningKey> RootKeys { get; set; }

    /// <summary>Keys whose signatures go on root.json (default: the root keys); a rotation adds the old ones.</summary>
    public List<TestSigningKey>? RootSigners { get; set; }

    public TestSigningKey TargetsKey { get; set; } = TestSigningKey.Ecdsa();

    public TestSigningKey SnapshotKey { get; set; } = TestSigningKey.Ed25519();

    public TestSigningKey TimestampKey { get; set; } = TestSigningKey.Ed25519();

    /// <summary>Keys that sign targets.json (default: the targets key).</summary>
    public TestSigningKey? TargetsSigner { get; set; }

    public int RootVersion { get; set; } = 1;

    public int TargetsVersion { get; set; } = 1;

    public int SnapshotVersion { get; set; } = 1;

    public int TimestampVersion { get; set; } = 1;

    public DateTimeOffset RootExpires { get; set; } = DateTimeOffset.UtcNow.AddYears(10);

    public DateTimeOffset TargetsExpires { get; set; } = DateTimeOffset.UtcNow.AddYears(3);

    public DateTimeOffset SnapshotExpires { get; set; } = DateTimeOffset.UtcNow.AddYears(3);

    public DateTimeOffset TimestampExpires { get; set; } = DateTimeOffset.UtcNow.AddDays(14);

    /// <summary>Tag → manifest bytes, in targets.json.</summary>
    public Dictionary<string, byte[]> Targets { get; } = new(StringComparer.Ordinal);

    /// <summary>Delegations (name → key, tags); declared in targets.json with paths [""].</summary>
    public Dictionary<string, (TestSigningKey Key, Dictionary<string, byte[]> Targets)> Delegations { get; } = new(StringComparer.Ordinal);

    /// <summary>Applied to targets.json's bytes after signing (to tamper with it).</summary>
    public Func<byte[], byte[]>? TamperTargets { get; set; }

    /// <summary>When set, snapshot records what this returns for targets instead of the served bytes (mix-and-match).</summary>
    public Func<byte[], byte[]>? SnapshotTargetsOverride { get; set; }

    public int Requests { get; private set; }

    /// <summary>Every file served, by name (role.json, role.&lt;sha256&gt;.json, N.root.json).</summary>
    public IReadOnlyDictionary<string, byte[]> Files => files;

    public static string DigestOf(byte[] manifest) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest));

    /// <summary>Signs and serves the current state; root.json is also kept as N.root.json for rotations.</summary>
    public void Publish()
    {
        var root = Sign(new JsonObject
        {
            ["_type"] = "Root",
            ["consistent_snapshot"] = false,
            ["expires"] = Time(RootExpires),
            ["keys"] = Keys(RootKeys.Append(TargetsKey).Append(SnapshotKey).Append(TimestampKey)),
            ["roles"] = new JsonObject
            {
                ["root"] = Role(RootKeys, 1),
                ["targets"] = Role([TargetsKey], 1),
                ["snapshot"] = Role([SnapshotKey], 1),
                ["timestamp"] = Role([TimestampKey], 1),
            },
            ["version"] = RootVersion,
        }, RootSigners ?? RootKeys);

        var delegationKeys = new JsonObject();
        var delegationRoles = new JsonArray();
        foreach (var (name, (key, _)) in Delegations)
        {
            delegationKeys[key.Id] = KeyJson(key);
            delegationRoles.Add(new JsonObject { ["keyids"] = new JsonArray(key.Id), ["name"] = name, ["paths"] = new JsonArray(""), ["threshold"] = 1 });
        }

        var targets = Sign(new JsonObject
        {
            ["_type"] = "Targets",
            ["delegations"] = new JsonObject { ["keys"] = delegationKeys, ["roles"] = delegationRoles },
            ["expires"] = Time(TargetsExpires),
            ["targets"] = TargetMap(Targets),
            ["version"] = TargetsVersion,
        }, [TargetsSigner ?? TargetsKey]);
        byte[] servedTargets = TamperTargets?.Invoke(targets) ?? targets;

        var meta = new JsonObject { ["root"] = Meta(root), ["targets"] = Meta(SnapshotTargetsOverride?.Invoke(servedTargets) ?? servedTargets) };
        var delegationFiles = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, (key, tags)) in Delegations)
        {
            delegationFiles[name] = Sign(new JsonObject
            {
                ["_type"] = "Targets",
                ["delegations"] = new JsonObject { ["keys"] = new JsonObject(), ["roles"] = new JsonArray() },
                ["expires"] = Time(TargetsExpires),
                ["targets"] = TargetMap(tags),
                ["version"] = 1,
            }, [key]);
            meta[name] = Meta(delegationFiles[name]);
        }

        var snapshot = Sign(new JsonObject { ["_type"] = "Snapshot", ["expires"] = Time(SnapshotExpires), ["meta"] = meta, ["version"] = SnapshotVersion }, [SnapshotKey]);
        var timestamp = Sign(new JsonObject
        {
            ["_type"] = "Timestamp",
            ["expires"] = Time(TimestampExpires),
            ["meta"] = new JsonObject { ["snapshot"] = Meta(snapshot) },
            ["version"] = TimestampVersion,
        }, [TimestampKey]);

        Serve("root", root);
        files[$"{RootVersion}.root.json"] = root;
        Serve("targets", servedTargets);
        foreach (var (name, bytes) in delegationFiles)
        {
            Serve(name, bytes);
        }

        Serve("snapshot", snapshot);
        Serve("timestamp", timestamp);
    }

    public Task<byte[]?> GetAsync(string gun, string file, long maxLength, CancellationToken ct)
    {
        Requests++;
        if (Unreachable)
        {
            throw new TufException("trust server unreachable: connection refused", TrustFailure.Unreachable);
        }

        if (gun != Gun || !files.TryGetValue(file, out var bytes))
        {
            return Task.FromResult<byte[]?>(null);
        }

        if (bytes.Length > maxLength)
        {
            throw new TufException($"{file}: more than the limit of {maxLength} bytes", TrustFailure.DigestMismatch);
        }

        return Task.FromResult<byte[]?>(bytes);
    }

    private void Serve(string role, byte[] bytes)
    {
        files[role + ".json"] = bytes;
        files[$"{role}.{Convert.ToHexStringLower(SHA256.HashData(bytes))}.json"] = bytes;
    }

    private static byte[] Sign(JsonObject signed, IEnumerable<TestSigningKey> keys)
    {
        using var doc = JsonDocument.Parse(signed.ToJsonString());
        byte[] canonical = CanonicalJson.Encode(doc.RootElement);
        var sigs = new JsonArray();
        foreach (var k in keys)
        {
            sigs.Add(new JsonObject { ["keyid"] = k.Id, ["method"] = k.Method, ["sig"] = Convert.ToBase64String(k.Sign(canonical)) });
        }

        return Encoding.UTF8.GetBytes("{\"signed\":" + Encoding.UTF8.GetString(canonical) + ",\"signatures\":" + sigs.ToJsonString() + "}");
    }

    private static JsonObject Keys(IEnumerable<TestSigningKey> keys)
    {
        var o = new JsonObject();
        foreach (var k in keys)
        {
            o[k.Id] = KeyJson(k);
        }

        return o;
    }

    private static JsonObject KeyJson(TestSigningKey k) =>
        new() { ["keytype"] = k.Public.KeyType, ["keyval"] = new JsonObject { ["private"] = null, ["public"] = k.Public.PublicBase64 } };

    private static JsonObject Role(IEnumerable<TestSigningKey> keys, int threshold) =>
        new() { ["keyids"] = new JsonArray(keys.Select(k => (JsonNode?)JsonValue.Create(k.Id)).ToArray()), ["threshold"] = threshold };

    private static JsonObject TargetMap(Dictionary<string, byte[]> tags)
    {
        var o = new JsonObject();
        foreach (var (tag, manifest) in tags)
        {
            o[tag] = Meta(manifest, sha512: false);
        }

        return o;
    }

    private static JsonObject Meta(byte[] bytes, bool sha512 = true)
    {
        var hashes = new JsonObject { ["sha256"] = Convert.ToBase64String(SHA256.HashData(bytes)) };
        if (sha512)
        {
            hashes["sha512"] = Convert.ToBase64String(SHA512.HashData(bytes));
        }

        return new JsonObject { ["hashes"] = hashes, ["length"] = bytes.Length };
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", System.Globalization.CultureInfo.InvariantCulture);
}
