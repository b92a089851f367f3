namespace Bulwark.Engine.Trust;

/// <summary>daemon.json <c>content-trust.trust-servers.&lt;registry&gt;</c>: where a registry's Notary server is and which CA signs its certificate.</summary>
/// <param name="Url">https URL of the Notary v1 server.</param>
/// <param name="CaFile">PEM file of the CA (or self-signed certificate) the server's certificate must chain to; null = the system store.</param>
public sealed record TrustServer(Uri Url, string? CaFile);
