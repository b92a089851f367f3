using System.Text;
using System.Text.Json;
using Bulwark.Engine.Images;

namespace Bulwark.Engine.Trust.Policy;

/// <summary>
/// Reads a containers-policy.json(5) strictly, as containers/image does: an unknown field, a requirement without its keys, a key
/// file that cannot be read, or a sigstoreSigned requirement that needs Fulcio, Rekor or a PKI (not supported: key-based only)
/// is a <see cref="PolicyException"/> naming the file, the scope and the cause. Transports other than <c>docker</c> are checked
/// and then ignored (bulwarkd only pulls from registries).
/// </summary>
public static class SignaturePolicyReader
{
    private const long MaxKeyBytes = 1024 * 1024;

    public static SignaturePolicy ReadFile(string path)
    {
        if (!Path.IsPathRooted(path))
        {
            throw new PolicyException($"policy {path}: the path must be absolute");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException($"policy {path}: cannot be read ({ex.Message})");
        }

        return Read(path, bytes);
    }

    public static SignaturePolicy Read(string path, byte[] bytes)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new PolicyException($"policy {path}: not valid JSON ({ex.Message})");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyException($"policy {path}: the top level must be an object");
            }

            IReadOnlyList<PolicyRequirement>? defaults = null;
            var docker = new Dictionary<string, IReadOnlyList<PolicyRequirement>>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "default":
                        defaults = Requirements(p.Value, $"policy {path}: \"default\"");
                        break;
                    case "transports":
                        Transports(p.Value, path, docker);
                        break;
                    default:
                        throw new PolicyException($"policy {path}: unknown field \"{p.Name}\"");
                }
            }

            return new SignaturePolicy(path, defaults ?? throw new PolicyException($"policy {path}: \"default\" is missing"), docker)
            {
                Fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
            };
        }
    }

    private static void Transports(JsonElement value, string path, Dictionary<string, IReadOnlyList<PolicyRequirement>> docker)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new PolicyException($"policy {path}: \"transports\" must be an object");
        }

        foreach (var transport in value.EnumerateObject())
        {
            if (transport.Value.ValueKind != JsonValueKind.Object)
            {
                throw new PolicyException($"policy {path}: transports.{transport.Name} must be an object of scope → requirements");
            }

            foreach (var scope in transport.Value.EnumerateObject())
            {
                string where = $"policy {path}: transports.{transport.Name}[\"{scope.Name}\"]";
                var reqs = Requirements(scope.Value, where);
                if (transport.Name == "docker")
                {
                    ValidateDockerScope(scope.Name, where);
                    docker[scope.Name] = reqs;
                }
            }
        }
    }

    private static void ValidateDockerScope(string scope, string where)
    {
        if (scope.Length == 0)
        {
            return;
        }

        if (scope.StartsWith("*.", StringComparison.Ordinal))
        {
            if (scope.Length < 3 || scope.AsSpan(2).ContainsAny("/:@*"))
            {
                throw new PolicyException($"{where}: a wildcard scope is \"*.domain\" only");
            }

            return;
        }

        if (scope.Contains('*', StringComparison.Ordinal) || scope.Contains("://", StringComparison.Ordinal)
            || (scope.Contains('/', StringComparison.Ordinal) && !ImageReference.TryParse(scope, out _)))
        {
            throw new PolicyException($"{where}: invalid scope (use host[:port], host/namespace, host/repository[:tag|@digest] or *.domain)");
        }
    }

    private static List<PolicyRequirement> Requirements(JsonElement value, string where)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
        {
            throw new PolicyException($"{where} must be a non-empty array of requirements");
        }

        var list = new List<PolicyRequirement>();
        int i = 0;
        foreach (var req in value.EnumerateArray())
        {
            list.Add(Requirement(req, $"{where}[{i++}]"));
        }

        return list;
    }

    private static PolicyRequirement Requirement(JsonElement req, string where)
    {
        if (req.ValueKind != JsonValueKind.Object || !req.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
        {
            throw new PolicyException($"{where}: a requirement must be an object with a \"type\"");
        }

        string type = t.GetString()!;
        var fields = req.EnumerateObject().Where(p => p.Name != "type").ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        switch (type)
        {
            case "insecureAcceptAnything":
                NoFields(fields, where, type);
                return new AcceptAnything();
            case "reject":
                NoFields(fields, where, type);
                return new RejectAll();
            case "signedBy":
                return SignedBy(fields, where);
            case "sigstoreSigned":
                return Sigstore(fields, where);
            case "signedBaseLayer":
                throw new PolicyException($"{where}: \"signedBaseLayer\" is not supported (containers/image does not implement it either)");
            default:
                throw new PolicyException($"{where}: unknown requirement type \"{type}\"");
        }
    }

    private static SignedBy SignedBy(Dictionary<string, JsonElement> fields, string where)
    {
        Only(fields, where, "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity");
        if (!fields.TryGetValue("keyType", out var kt) || kt.ValueKind != JsonValueKind.String)
        {
            throw new PolicyException($"{where}: signedBy needs \"keyType\": \"GPGKeys\"");
        }

        if (kt.GetString() != "GPGKeys")
        {
            throw new PolicyException($"{where}: keyType \"{kt.GetString()}\" is not supported (only GPGKeys)");
        }

        var keys = KeySources(fields, where, "keyPath", "keyPaths", "keyData", null);
        OpenPgpKeyring ring;
        try
        {
            ring = OpenPgpKeyring.Load(keys);
        }
        catch (PolicyException ex)
        {
            throw new PolicyException($"{where}: {ex.Message}");
        }

        return new SignedBy(ring, Identity(fields, where));
    }

    private static SigstoreSigned Sigstore(Dictionary<string, JsonElement> fields, string where)
    {
        foreach (string unsupported in new[] { "fulcio", "pki", "rekorPublicKeyPath", "rekorPublicKeyPaths", "rekorPublicKeyData", "rekorPublicKeyDatas" })
        {
            if (fields.ContainsKey(unsupported))
            {
                throw new PolicyException(
                    $"{where}: sigstoreSigned \"{unsupported}\" is not supported: bulwarkd verifies cosign signatures with public keys only (keyPath, keyPaths, keyData, keyDatas), without Fulcio or Rekor");
            }
        }

        Only(fields, where, "keyPath", "keyPaths", "keyData", "keyDatas", "signedIdentity");
        var keys = new List<CosignPublicKey>();
        foreach (var (name, bytes) in KeySources(fields, where, "keyPath", "keyPaths", "keyData", "keyDatas"))
        {
            try
            {
                keys.Add(CosignPublicKey.Parse(name, Encoding.UTF8.GetString(bytes)));
            }
            catch (PolicyException ex)
            {
                throw new PolicyException($"{where}: {ex.Message}");
            }
        }

        return new SigstoreSigned(keys, Identity(fields, where));
    }

    /// <summary>Exactly one of the key fields; each file read (bounded), each keyData base64-decoded.</summary>
    private static List<(string Name, byte[] Bytes)> KeySources(Dictionary<string, JsonElement> fields, string where,
        string path, string paths, string data, string? datas)
    {
        var given = new[] { path, paths, data, datas }.Where(k => k is not null && fields.ContainsKey(k)).ToList();
        if (given.Count != 1)
        {
            throw new PolicyException($"{where}: exactly one of {path}, {paths}, {data}{(datas is null ? "" : ", " + datas)} is required");
        }

        string key = given[0]!;
        var value = fields[key];
        var items = key == path || key == data ? [value]
            : value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 ? value.EnumerateArray().ToList()
            : throw new PolicyException($"{where}: \"{key}\" must be a non-empty array");
        var result = new List<(string, byte[])>();
        foreach (var item in items)
        {
            string s = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new PolicyException($"{where}: \"{key}\" must hold strings");
            if (key == path || key == paths)
            {
                result.Add((s, ReadKeyFile(s, where)));
            }
            else
            {
                try
                {
                    result.Add((key, Convert.FromBase64String(s)));
                }
                catch (FormatException)
                {
                    throw new PolicyException($"{where}: \"{key}\" is not base64");
                }
            }
        }

        return result;
    }

    private static byte[] ReadKeyFile(string file, string where)
    {
        if (!Path.IsPathRooted(file))
        {
            throw new PolicyException($"{where}: key file {file} must be an absolute path");
        }

        try
        {
            var info = new FileInfo(file);
            if (info.Exists && info.Length > MaxKeyBytes)
            {
                throw new PolicyException($"{where}: key file {file} is larger than {MaxKeyBytes} bytes");
            }

            return File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PolicyException($"{where}: key file {file} cannot be read ({ex.Message})");
        }
    }

    private static SignedIdentity Identity(Dictionary<string, JsonElement> fields, string where)
    {
        if (!fields.TryGetValue("signedIdentity", out var id))
        {
            return SignedIdentity.Default;
        }

        string at = where + ".signedIdentity";
        if (id.ValueKind != JsonValueKind.Object || !id.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
        {
            throw new PolicyException($"{at} must be an object with a \"type\"");
        }

        var f = id.EnumerateObject().Where(p => p.Name != "type").ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        switch (t.GetString())
        {
            case "matchRepoDigestOrExact":
                NoFields(f, at, "matchRepoDigestOrExact");
                return SignedIdentity.Default;
            case "matchExact":
                NoFields(f, at, "matchExact");
                return new SignedIdentity(SignedIdentityKind.MatchExact);
            case "matchRepository":
                NoFields(f, at, "matchRepository");
                return new SignedIdentity(SignedIdentityKind.MatchRepository);
            case "exactReference":
                Only(f, at, "dockerReference");
                var reference = Reference(f, "dockerReference", at);
                if (reference.Tag is null && reference.Digest is null)
                {
                    throw new PolicyException($"{at}: dockerReference \"{reference.Full}\" must carry a tag or a digest");
                }

                return new SignedIdentity(SignedIdentityKind.ExactReference, reference.Full);
            case "exactRepository":
                Only(f, at, "dockerRepository");
                var repo = Reference(f, "dockerRepository", at);
                if (repo.Tag is not null || repo.Digest is not null)
                {
                    throw new PolicyException($"{at}: dockerRepository \"{repo.Full}\" must not carry a tag or a digest");
                }

                return new SignedIdentity(SignedIdentityKind.ExactRepository, repo.Repository);
            case "remapIdentity":
                Only(f, at, "prefix", "signedPrefix");
                return new SignedIdentity(SignedIdentityKind.RemapIdentity, null, Str(f, "prefix", at), Str(f, "signedPrefix", at));
            case var other:
                throw new PolicyException($"{at}: unknown signedIdentity type \"{other}\"");
        }
    }

    private static ImageReference Reference(Dictionary<string, JsonElement> f, string key, string at)
    {
        string s = Str(f, key, at);
        return ImageReference.TryParse(s, out var r, out string? why) ? r : throw new PolicyException($"{at}: {key} \"{s}\" is not a reference ({why})");
    }

    private static string Str(Dictionary<string, JsonElement> f, string key, string at) =>
        f.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s : throw new PolicyException($"{at}: \"{key}\" is required and must be a non-empty string");

    private static void NoFields(Dictionary<string, JsonElement> fields, string where, string type)
    {
        if (fields.Count > 0)
        {
            throw new PolicyException($"{where}: unknown field \"{fields.Keys.First()}\" in {type}");
        }
    }

    private static void Only(Dictionary<string, JsonElement> fields, string where, params string[] allowed)
    {
        if (fields.Keys.FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
        {
            throw new PolicyException($"{where}: unknown field \"{unknown}\"");
        }
    }
}
