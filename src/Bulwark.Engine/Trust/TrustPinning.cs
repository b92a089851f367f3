namespace Bulwark.Engine.Trust;

/// <summary>
/// daemon.json <c>content-trust.trust-pinning</c>. <c>cert-ids</c> pins an exact repository to root certificate ids (what
/// <c>docker trust inspect</c> shows as "Root Key"); <c>root-keys</c> pins a repository or a <c>prefix*</c> scope to canonical
/// root key ids (the file names under <c>~/.docker/trust/private</c>). A cert-id pin beats any root-keys pin; among
/// root-keys the longest matching scope wins. There is no trust on first use: a repository without a pin is refused.
/// </summary>
public sealed record TrustPinning
{
    /// <summary>Scope ("registry:5000/team/*" or an exact repository) → canonical root key ids.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> RootKeys { get; init; } = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);

    /// <summary>Exact repository → root certificate ids.</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> CertIds { get; init; } = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);

    public bool IsEmpty => RootKeys.Count == 0 && CertIds.Count == 0;

    /// <summary>The rule that governs <paramref name="gun"/> ("registry:5000/team/app"), or null when none does.</summary>
    public PinRule? Find(string gun)
    {
        if (CertIds.TryGetValue(gun, out var certs))
        {
            return new PinRule(PinKind.CertIds, gun, certs);
        }

        string? best = null;
        foreach (string scope in RootKeys.Keys)
        {
            bool matches = scope.EndsWith('*') ? gun.StartsWith(scope[..^1], StringComparison.Ordinal) : gun == scope;
            // An exact entry is more specific than any wildcard; otherwise the longest scope wins.
            if (matches && (best is null || Specificity(scope) > Specificity(best)))
            {
                best = scope;
            }
        }

        return best is null ? null : new PinRule(PinKind.RootKeys, best, RootKeys[best]);
    }

    private static int Specificity(string scope) => scope.EndsWith('*') ? scope.Length - 1 : int.MaxValue;
}

public enum PinKind
{
    /// <summary>Root certificate ids, as listed in root.json.</summary>
    CertIds,

    /// <summary>Canonical root key ids: the public key of the certificate, as a plain key object.</summary>
    RootKeys,
}

/// <summary>One pinning entry: which kind, the scope it was written under, and the ids it accepts.</summary>
public sealed record PinRule(PinKind Kind, string Scope, IReadOnlySet<string> Ids)
{
    /// <summary>How the rule reads in daemon.json: <c>trust-pinning.root-keys["127.0.0.1:5000/team/*"]</c>.</summary>
    public string Name => $"trust-pinning.{(Kind == PinKind.CertIds ? "cert-ids" : "root-keys")}[\"{Scope}\"]";
}
