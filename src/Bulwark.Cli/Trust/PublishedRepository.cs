using System.Text.Json.Nodes;
using Bulwark.Tuf;

namespace Bulwark.Cli.Trust;

/// <summary>
/// A repository's trust data as the trust server has it now (root, targets and each declared delegation), each file checked
/// against the keys of its parent before anything is changed on top of it: a publisher never re-signs what it cannot verify.
/// </summary>
internal sealed class PublishedRepository
{
    private PublishedRepository(string gun, SignedMetadata? root, SignedMetadata? targets, Dictionary<string, SignedMetadata?> delegations)
    {
        Gun = gun;
        Root = root;
        Targets = targets;
        Delegations = delegations;
    }

    public string Gun { get; }

    /// <summary>Null when the repository has no trust data yet.</summary>
    public SignedMetadata? Root { get; }

    public SignedMetadata? Targets { get; }

    /// <summary>Every delegation targets.json declares, with its current file (null when none was published yet).</summary>
    public IReadOnlyDictionary<string, SignedMetadata?> Delegations { get; }

    public bool Initialized => Root is not null;

    public IReadOnlyList<DelegatedRole> DelegationRoles => Targets is null ? [] : TufRoles.Targets(Targets).Delegations;

    public static async Task<PublishedRepository> LoadAsync(TrustServerClient server, string gun, CancellationToken ct)
    {
        byte[]? rootBytes = await server.GetRoleAsync(gun, "root", ct).ConfigureAwait(false);
        if (rootBytes is null)
        {
            return new PublishedRepository(gun, null, null, []);
        }

        try
        {
            var root = SignedMetadata.Parse("root", rootBytes);
            var (keys, roles) = TufRoles.Root(root);
            root.VerifyThreshold(keys, roles["root"].KeyIds, roles["root"].Threshold);
            byte[] targetsBytes = await server.GetRoleAsync(gun, "targets", ct).ConfigureAwait(false)
                ?? throw new CliException(1, $"trust server {server.Endpoint.Url}: {gun} has a root but no targets.json");
            var targets = SignedMetadata.Parse("targets", targetsBytes);
            targets.VerifyThreshold(keys, roles["targets"].KeyIds, roles["targets"].Threshold);
            var (_, delegationKeys, delegationRoles) = TufRoles.Targets(targets);
            var delegations = new Dictionary<string, SignedMetadata?>(StringComparer.Ordinal);
            foreach (var role in delegationRoles)
            {
                byte[]? bytes = await server.GetRoleAsync(gun, role.Name, ct).ConfigureAwait(false);
                SignedMetadata? file = bytes is null ? null : SignedMetadata.Parse(role.Name, bytes);
                file?.VerifyThreshold(delegationKeys, role.Keys.KeyIds, role.Keys.Threshold);
                delegations[role.Name] = file;
            }

            return new PublishedRepository(gun, root, targets, delegations);
        }
        catch (TufException ex)
        {
            throw new CliException(1, $"the trust data of {gun} on {server.Endpoint.Url} does not verify: {ex.Message}");
        }
    }

    /// <summary>The keys root lists for <paramref name="role"/> (targets, snapshot).</summary>
    public IReadOnlyList<string> RootRoleKeys(string role) => TufRoles.Root(Root!).Roles[role].KeyIds;

    /// <summary>The signed part of <paramref name="metadata"/>, as an editable tree (unknown fields kept).</summary>
    public static JsonObject Editable(SignedMetadata metadata) => JsonNode.Parse(metadata.Canonical)!.AsObject();

    /// <summary>An empty targets (or delegation) role: version 0, so the first publish writes version 1.</summary>
    public static JsonObject EmptyTargets() => new()
    {
        ["_type"] = "Targets",
        ["delegations"] = new JsonObject { ["keys"] = new JsonObject(), ["roles"] = new JsonArray() },
        ["expires"] = "",
        ["targets"] = new JsonObject(),
        ["version"] = 0L,
    };

    /// <summary>Increments <c>version</c> and sets a fresh expiry (<paramref name="lifetime"/> from now).</summary>
    public static void Bump(JsonObject signed, TimeSpan lifetime)
    {
        signed["version"] = (signed["version"]?.GetValue<long>() ?? 0) + 1;
        signed["expires"] = MetadataWriter.Expiry(DateTimeOffset.UtcNow + lifetime);
    }
}
