using Bulwark.Tuf;

namespace Bulwark.Cli.Trust;

/// <summary>The private keys one trust change signs with (root, the repository's targets key, delegation keys), disposed together.</summary>
internal sealed class KeyRing : IDisposable
{
    private readonly List<TufSigningKey> all = [];
    private readonly Dictionary<string, TufSigningKey> delegations = new(StringComparer.Ordinal);
    private TufSigningKey? targets;

    public TufSigningKey TargetsKey => targets ?? throw new InvalidOperationException("no targets key loaded");

    public TufSigningKey Add(TufSigningKey key)
    {
        all.Add(key);
        return key;
    }

    public TufSigningKey SetTargets(TufSigningKey key) => targets = Add(key);

    public void AddDelegation(string role, TufSigningKey key) => delegations[role] = Add(key);

    public TufSigningKey Delegation(string role) => delegations[role];

    /// <summary>Loads the repository key root lists for targets from the store, or fails naming the repository.</summary>
    public void Targets(TrustKeyStore store, Func<string, string?> env, string gun, PublishedRepository repo)
    {
        if (!TryTargets(store, env, gun, repo))
        {
            throw new CliException(1, $"the repository key of {gun} is not in {store.PrivateDirectory}: only its owner can change targets");
        }
    }

    public bool TryTargets(TrustKeyStore store, Func<string, string?> env, string gun, PublishedRepository repo)
    {
        if (targets is not null)
        {
            return true;
        }

        var ids = repo.RootRoleKeys("targets");
        if (store.List().FirstOrDefault(k => ids.Contains(k.Id)) is not { } stored)
        {
            return false;
        }

        SetTargets(TufSigningKey.Plain(TrustKeyStore.ReadPrivateKey(stored.Path, TrustKeyStore.Passphrase(env))));
        return true;
    }

    public void Dispose()
    {
        foreach (var key in all)
        {
            key.Dispose();
        }
    }
}
