namespace Bulwark.Engine.Trust;

/// <summary>daemon.json <c>"content-trust"</c>: Docker EE's format plus <c>trust-servers</c>. Built by <see cref="ContentTrustOptionsReader"/>.</summary>
public sealed record ContentTrustOptions
{
    public ContentTrustMode Mode { get; init; } = ContentTrustMode.Disabled;

    /// <summary>Who may sign which repositories.</summary>
    public TrustPinning Pinning { get; init; } = new();

    /// <summary>Notary server per registry host ("127.0.0.1:5000"); a registry without an entry is its own trust server (https://host).</summary>
    public IReadOnlyDictionary<string, TrustServer> TrustServers { get; init; } = new Dictionary<string, TrustServer>(StringComparer.Ordinal);

    /// <summary>When the trust server cannot be reached, cached metadata may be used even if it has expired (never downloaded data).</summary>
    public bool AllowExpiredCachedTrustData { get; init; }

    /// <summary><c>content-trust.policy</c>: a containers-policy.json(5) for repositories no trust-pinning rule covers (simple signing, cosign).</summary>
    public Policy.SignaturePolicy? Policy { get; init; }

    /// <summary><c>content-trust.registries-d</c>: where simple-signing signatures are looked up (containers-registries.d(5)).</summary>
    public Policy.RegistriesDirectory RegistriesDirectory { get; init; } = Trust.Policy.RegistriesDirectory.Empty;
}
