using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Tuf;

namespace Bulwark.Cli.Trust;

/// <summary>
/// Changes a repository's trust data on a Notary v1 server the way the docker CLI does, with the keys the docker CLI keeps:
/// initialises a repository (root key from the store or generated, a certificate with CN = the repository, a new targets key,
/// snapshot and timestamp keys held by the server), signs and revokes tags (into <c>targets</c>, or into every direct
/// delegation whose key is in the store), and adds and removes signers (<c>targets/NAME</c> plus <c>targets/releases</c>).
/// Each change is one atomic upload; the server then signs a new snapshot and timestamp.
/// </summary>
internal sealed class TrustPublisher(TrustServerClient server, TrustKeyStore store, Func<string, string?> env, TextWriter output)
{
    private static readonly TimeSpan RootLifetime = TimeSpan.FromDays(3650);
    private static readonly TimeSpan TargetsLifetime = TimeSpan.FromDays(3 * 365);

    /// <summary>Signs <paramref name="tag"/> = manifest (sha256, length) into every role this user can sign, initialising the repository if needed.</summary>
    public async Task SignAsync(string gun, string tag, byte[] sha256, long length, CancellationToken ct)
    {
        var repo = await PublishedRepository.LoadAsync(server, gun, ct).ConfigureAwait(false);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var keys = new KeyRing();
        JsonObject? targets = null;
        if (!repo.Initialized)
        {
            await output.WriteLineAsync($"Initializing signed repository for {gun}...").ConfigureAwait(false);
            targets = await InitializeAsync(gun, files, keys, ct).ConfigureAwait(false);
        }

        foreach (string role in SignableRoles(repo, keys, out bool intoTargets))
        {
            if (intoTargets)
            {
                targets ??= PublishedRepository.Editable(repo.Targets!);
                AddTarget(targets, tag, sha256, length);
                continue;
            }

            if (repo.StaleDelegations.ContainsKey(role))
            {
                await output.WriteLineAsync($"{role} was signed by keys it no longer lists: its earlier tags are dropped and it is signed afresh").ConfigureAwait(false);
            }

            var signed = repo.EditableDelegation(role);
            AddTarget(signed, tag, sha256, length);
            PublishedRepository.Bump(signed, TargetsLifetime);
            files[role] = MetadataWriter.Sign(signed, [keys.Delegation(role)]);
        }

        if (targets is not null)
        {
            FinishTargets(repo, targets, files, keys);
        }

        await server.PublishAsync(gun, files, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"Successfully signed {gun}:{tag}").ConfigureAwait(false);
    }

    /// <summary>Removes <paramref name="tag"/> (every tag when null) from every role this user can sign.</summary>
    public async Task RevokeAsync(string gun, string? tag, CancellationToken ct)
    {
        var repo = await PublishedRepository.LoadAsync(server, gun, ct).ConfigureAwait(false);
        if (!repo.Initialized)
        {
            throw new CliException(1, $"{gun} has no trust data on {server.Endpoint.Url}: nothing to revoke");
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var keys = new KeyRing();
        bool removed = false;
        foreach (string role in SignableRoles(repo, keys, out bool intoTargets))
        {
            if (intoTargets)
            {
                continue;
            }

            if (repo.Delegations[role] is { } current && RemoveTargets(PublishedRepository.Editable(current), tag) is { } edited)
            {
                PublishedRepository.Bump(edited, TargetsLifetime);
                files[role] = MetadataWriter.Sign(edited, [keys.Delegation(role)]);
                removed = true;
            }
        }

        // The tag may also be in targets itself (a docker push before any signer existed): revoke it there too when the repository key is here.
        if (keys.TryTargets(store, env, gun, repo) && RemoveTargets(PublishedRepository.Editable(repo.Targets!), tag) is { } targets)
        {
            FinishTargets(repo, targets, files, keys);
            removed = true;
        }

        if (!removed)
        {
            throw new CliException(1, tag is null
                ? $"{gun} has no signed tags in any role this user can sign"
                : $"no signature for {gun}:{tag} in any role this user can sign");
        }

        await server.PublishAsync(gun, files, ct).ConfigureAwait(false);
        await output.WriteLineAsync(tag is null ? $"Successfully deleted signature for {gun}" : $"Successfully deleted signature for {gun}:{tag}").ConfigureAwait(false);
    }

    /// <summary>Adds <paramref name="publicKeys"/> as signer <paramref name="name"/>: to <c>targets/NAME</c> and <c>targets/releases</c>.</summary>
    public async Task AddSignerAsync(string gun, string name, IReadOnlyList<TufKey> publicKeys, CancellationToken ct)
    {
        var repo = await PublishedRepository.LoadAsync(server, gun, ct).ConfigureAwait(false);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var keys = new KeyRing();
        JsonObject targets;
        if (repo.Initialized)
        {
            keys.Targets(store, env, gun, repo);
            targets = PublishedRepository.Editable(repo.Targets!);
        }
        else
        {
            await output.WriteLineAsync($"Initializing signed repository for {gun}...").ConfigureAwait(false);
            targets = await InitializeAsync(gun, files, keys, ct).ConfigureAwait(false);
        }

        var delegations = Delegations(targets);
        foreach (var key in publicKeys)
        {
            delegations.Keys[key.Id] = MetadataWriter.KeyObject(key);
        }

        foreach (string role in new[] { "targets/" + name, "targets/releases" })
        {
            var entry = delegations.Roles.OfType<JsonObject>().FirstOrDefault(r => r["name"]?.GetValue<string>() == role);
            if (entry is null)
            {
                entry = new JsonObject { ["keyids"] = new JsonArray(), ["name"] = role, ["paths"] = new JsonArray(""), ["threshold"] = 1 };
                ((IList<JsonNode?>)delegations.Roles).Add(entry);
            }

            var ids = entry["keyids"]!.AsArray();
            foreach (var key in publicKeys.Where(k => !ids.Any(i => i?.GetValue<string>() == k.Id)))
            {
                ((IList<JsonNode?>)ids).Add(key.Id);
            }
        }

        FinishTargets(repo, targets, files, keys);
        await server.PublishAsync(gun, files, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"Successfully added signer: {name} to {gun}").ConfigureAwait(false);
    }

    /// <summary>Removes signer <paramref name="name"/>: the role <c>targets/NAME</c>, and its keys from <c>targets/releases</c>.</summary>
    public async Task RemoveSignerAsync(string gun, string name, CancellationToken ct)
    {
        var repo = await PublishedRepository.LoadAsync(server, gun, ct).ConfigureAwait(false);
        string role = "targets/" + name;
        if (!repo.Initialized || !repo.Delegations.ContainsKey(role))
        {
            throw new CliException(1, $"no signer {name} for repository {gun}");
        }

        using var keys = new KeyRing();
        keys.Targets(store, env, gun, repo);
        var targets = PublishedRepository.Editable(repo.Targets!);
        var delegations = Delegations(targets);
        var signer = delegations.Roles.OfType<JsonObject>().First(r => r["name"]?.GetValue<string>() == role);
        var signerKeys = signer["keyids"]!.AsArray().Select(i => i!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        delegations.Roles.Remove(signer);
        if (delegations.Roles.OfType<JsonObject>().FirstOrDefault(r => r["name"]?.GetValue<string>() == "targets/releases") is { } releases)
        {
            var ids = releases["keyids"]!.AsArray();
            foreach (var id in ids.Where(i => signerKeys.Contains(i!.GetValue<string>())).ToList())
            {
                ids.Remove(id);
            }

            if (ids.Count == 0)
            {
                delegations.Roles.Remove(releases);
                await output.WriteLineAsync($"{name} was the last signer of targets/releases: removed that role too, so no tag it signed is trusted any more").ConfigureAwait(false);
            }
        }

        var used = delegations.Roles.OfType<JsonObject>().SelectMany(r => r["keyids"]!.AsArray().Select(i => i!.GetValue<string>())).ToHashSet(StringComparer.Ordinal);
        foreach (string id in delegations.Keys.Select(k => k.Key).Where(id => !used.Contains(id)).ToList())
        {
            delegations.Keys.Remove(id);
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        FinishTargets(repo, targets, files, keys);
        await server.PublishAsync(gun, files, ct).ConfigureAwait(false);
        await output.WriteLineAsync($"Successfully removed {name} from {gun}").ConfigureAwait(false);
    }

    /// <summary>
    /// Root key (the stored one with <c>role: root</c>, else a new one), a root certificate for <paramref name="gun"/>, a new
    /// targets key stored with <c>gun:</c>, and the server's snapshot and timestamp keys; adds root.json to <paramref name="files"/>.
    /// </summary>
    private async Task<JsonObject> InitializeAsync(string gun, Dictionary<string, byte[]> files, KeyRing keys, CancellationToken ct)
    {
        string rootPass = TrustKeyStore.Passphrase(env, TrustKeyStore.RootPassphraseVariable);
        string repoPass = TrustKeyStore.Passphrase(env);
        var snapshotKey = await server.GetServerKeyAsync(gun, "snapshot", ct).ConfigureAwait(false);
        var timestampKey = await server.GetServerKeyAsync(gun, "timestamp", ct).ConfigureAwait(false);

        ECDsa rootKey;
        if (store.List().FirstOrDefault(k => k.Role == "root") is { } stored)
        {
            rootKey = TrustKeyStore.ReadPrivateKey(stored.Path, rootPass);
        }
        else
        {
            rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            string id = store.Save(rootKey, "root", rootPass);
            await output.WriteLineAsync($"Generated a new root key {id} (encrypted with {TrustKeyStore.RootPassphraseVariable})").ConfigureAwait(false);
        }

        var root = keys.Add(new TufSigningKey(rootKey, new TufKey(TufKey.EcdsaX509, Convert.ToBase64String(Encoding.ASCII.GetBytes(RootCertificatePem(rootKey, gun))))));
        var targetsKey = keys.SetTargets(TufSigningKey.Plain(ECDsa.Create(ECCurve.NamedCurves.nistP256)));
        store.Save(targetsKey.Key, "targets", repoPass, gun);

        var rootSigned = new JsonObject
        {
            ["_type"] = "Root",
            ["consistent_snapshot"] = false,
            ["expires"] = MetadataWriter.Expiry(DateTimeOffset.UtcNow + RootLifetime),
            ["keys"] = new JsonObject
            {
                [root.Id] = MetadataWriter.KeyObject(root.Public),
                [targetsKey.Id] = MetadataWriter.KeyObject(targetsKey.Public),
                [snapshotKey.Id] = MetadataWriter.KeyObject(snapshotKey),
                [timestampKey.Id] = MetadataWriter.KeyObject(timestampKey),
            },
            ["roles"] = new JsonObject
            {
                ["root"] = RoleObject(root.Id),
                ["snapshot"] = RoleObject(snapshotKey.Id),
                ["targets"] = RoleObject(targetsKey.Id),
                ["timestamp"] = RoleObject(timestampKey.Id),
            },
            ["version"] = 1,
        };
        files["root"] = MetadataWriter.Sign(rootSigned, [root]);
        return PublishedRepository.EmptyTargets();
    }

    /// <summary>
    /// The roles a tag goes into, as <c>docker trust sign</c> picks them: <c>targets</c> when the repository has no delegation
    /// (the repository key must be here), else every direct delegation of targets whose key is in the store.
    /// </summary>
    private IEnumerable<string> SignableRoles(PublishedRepository repo, KeyRing keys, out bool intoTargets)
    {
        var delegations = repo.DelegationRoles;
        if (delegations.Count == 0)
        {
            if (repo.Initialized)
            {
                keys.Targets(store, env, repo.Gun, repo);
            }

            intoTargets = true;
            return ["targets"];
        }

        intoTargets = false;
        var stored = store.List();
        var roles = new List<string>();
        foreach (var role in delegations.Where(r => r.Name.Count(c => c == '/') == 1))
        {
            if (stored.FirstOrDefault(k => role.Keys.KeyIds.Contains(k.Id)) is { } key)
            {
                keys.AddDelegation(role.Name, TufSigningKey.Plain(TrustKeyStore.ReadPrivateKey(key.Path, TrustKeyStore.Passphrase(env))));
                roles.Add(role.Name);
            }
        }

        return roles.Count > 0
            ? roles
            : throw new CliException(1, $"no valid signing keys for the delegation roles of {repo.Gun}: load a signer's key with `bulwark trust key load`");
    }

    private static void FinishTargets(PublishedRepository repo, JsonObject targets, Dictionary<string, byte[]> files, KeyRing keys)
    {
        if (repo.Initialized && !repo.RootRoleKeys("targets").Contains(keys.TargetsKey.Id))
        {
            throw new CliException(1, $"the stored repository key of {repo.Gun} is not the one its root lists for targets");
        }

        PublishedRepository.Bump(targets, TargetsLifetime);
        files["targets"] = MetadataWriter.Sign(targets, [keys.TargetsKey]);
    }

    private static void AddTarget(JsonObject signed, string tag, byte[] sha256, long length) =>
        signed["targets"]!.AsObject()[tag] = MetadataWriter.FileMetaObject(sha256, length);

    /// <summary>The edited role without <paramref name="tag"/> (or without any tag), or null when there was nothing to remove.</summary>
    private static JsonObject? RemoveTargets(JsonObject signed, string? tag)
    {
        var map = signed["targets"]!.AsObject();
        if (tag is not null)
        {
            return map.Remove(tag) ? signed : null;
        }

        if (map.Count == 0)
        {
            return null;
        }

        map.Clear();
        return signed;
    }

    private static (JsonObject Keys, JsonArray Roles) Delegations(JsonObject targets)
    {
        if (targets["delegations"] is not JsonObject d)
        {
            d = new JsonObject();
            targets["delegations"] = d;
        }

        if (d["keys"] is not JsonObject k)
        {
            k = new JsonObject();
            d["keys"] = k;
        }

        if (d["roles"] is not JsonArray r)
        {
            r = new JsonArray();
            d["roles"] = r;
        }

        return (k, r);
    }

    private static JsonObject RoleObject(string keyId) => new() { ["keyids"] = new JsonArray(keyId), ["threshold"] = 1 };

    /// <summary>notary's root certificate: self-signed, CN = the repository, not a CA, code signing, ten years.</summary>
    private static string RootCertificatePem(ECDsa key, string gun)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(gun);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.3")], false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now + RootLifetime);
        return cert.ExportCertificatePem() + "\n";
    }
}
