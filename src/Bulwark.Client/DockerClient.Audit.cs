using Bulwark.Api.Models.Audit;

namespace Bulwark.Client;

/// <summary>bulwarkd's own audit-log endpoints (not part of Docker's API).</summary>
public sealed partial class DockerClient
{
    /// <summary><c>GET /bulwark/audit</c>: request entries oldest first, filtered by time (RFC 3339), identity and action.</summary>
    public Task<List<AuditEntry>> AuditListAsync(string? since, string? user, string? action, CancellationToken cancellationToken) =>
        GetJsonAsync("/bulwark/audit" + new QueryBuilder().Add("since", since).Add("user", user).Add("action", action),
            AuditJsonContext.Default.ListAuditEntry, cancellationToken);

    /// <summary><c>GET /bulwark/audit/verify</c>: the chain and seals checked by the daemon, and the first bad entry if any.</summary>
    public Task<AuditVerifyResponse> AuditVerifyAsync(CancellationToken cancellationToken) =>
        GetJsonAsync("/bulwark/audit/verify", AuditJsonContext.Default.AuditVerifyResponse, cancellationToken);
}
