using System.Text.Json.Nodes;
using Bulwark.Tuf;

namespace Bulwark.Cli.Trust;

/// <summary>
/// A repository's trust data as the trust server has it now (root, targets and each declared delegation), each file checked
/// against the keys of its parent before anything is changed on top of it: a publisher never re-signs what it cannot verify.
/// </summary>
internal sealed class PublishedRepository
{
    private PublishedRepository(
        string gun, SignedMetadata? root, SignedMetadata? targets, Dictionary<string, SignedMetadata?> delegations, Dictionary<string, int> stale)
    {
        Gun = gun;
        Root = root;
        Targets = targets;
        Delegations = delegations;
        StaleDelegations = stale;
    }

    public string Gun { get; }

    /// <summary>Null when the repository has no trust data yet.</summary>
    public SignedMetadata? Root { get; }

    public SignedMetadata? Targets { get; }

    /// <summary>Every delegation targets.json declares, with its current file (null when none was published yet, or when it is stale).</summary>
    public IReadOnlyDictionary<string, SignedMetadata?> Delegations { get; }

    /// <summary>
    /// Delegations whose published file is no longer signed by the keys targets.json lists for them (a removed signer signed it),
    /// with that file's version: its tags count for nobody, so a new signature starts the role afresh at the next version.
    /// </summary>
    public IReadOnlyDictionary<string, int> StaleDelegations { get; }

    public bool Initialized => Root is not null;

    public IReadOnlyList<DelegatedRole> DelegationRoles => Targets is null ? [] : TufRoles.Targets(Targets).Delegations;

    public static async Task<PublishedRepository> LoadAsync(TrustServerClient server, string gun, CancellationToken ct)
    {
        byte[]? rootBytes = await server.GetRoleAsync(gun, "root", ct).ConfigureAwait(false);
        if (rootBytes is null)
        {
            return new PublishedRepository(gun, null, null, [], []);
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
            var stale = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var role in delegationRoles)
            {
                byte[]? bytes = await server.GetRoleAsync(gun, role.Name, ct).ConfigureAwait(false);
                SignedMetadata? file = bytes is null ? null : SignedMetadata.Parse(role.Name, bytes);
                try
                {
                    file?.VerifyThreshold(delegationKeys, role.Keys.KeyIds, role.Keys.Threshold);
                    delegations[role.Name] = file;
                }
                catch (TufException) when (role.Keys.KeyIds.Count > 0 && file is not null)
                {
                    delegations[role.Name] = null;
                    stale[role.Name] = file.Version;
                }
            }

            return new PublishedRepository(gun, root, targets, delegations, stale);
        }
        catch (TufException ex)
        {
            throw new CliException(1, $"the trust data of {gun} on {server.Endpoint.Url} does not verify: {ex.Message}");
        }
    }

    /// <summary>The delegation's signed part to edit: its current file, or an empty role that continues a stale file's versions.</summary>
    public JsonObject EditableDelegation(string role)
    {
        if (Delegations[role] is { } current)
        {
            return Editable(current);
        }

        var empty = EmptyTargets();
        empty["version"] = (long)StaleDelegations.GetValueOrDefault(role);
        return empty;
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
