using Bulwark.Api.Models.Audit;
using Bulwark.Daemon.Access.Audit;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Audit;

/// <summary>
/// Bulwark's own endpoints over the audit log (not part of Docker's API): <c>GET /bulwark/audit</c> lists entries
/// (<c>since</c> as RFC 3339 or unix seconds, <c>user</c>, <c>action</c>), <c>GET /bulwark/audit/verify</c> checks the chain.
/// </summary>
internal static class AuditEndpoints
{
    public static void Map(DockerApiRouter router, AuditReader reader)
    {
        router.Map("GET", "/bulwark/audit", ctx =>
        {
            string? sinceText = ctx.Request.Query.Get("since");
            DateTimeOffset? since = null;
            if (!string.IsNullOrEmpty(sinceText))
            {
                since = sinceText.All(c => char.IsAsciiDigit(c) || c == '.') ? ApiTime.ParseUnix(sinceText)
                    : (DateTimeOffset.TryParse(sinceText, System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t
                        : throw EngineException.Invalid($"invalid since \"{sinceText}\": use RFC 3339 or unix seconds"));
            }
            var entries = reader.List(since, NullIfEmpty(ctx.Request.Query.Get("user")), NullIfEmpty(ctx.Request.Query.Get("action")));
            return ctx.Response.WriteJsonAsync(200, entries, AuditJsonContext.Default.ListAuditEntry, ctx.Aborted);
        });
        router.Map("GET", "/bulwark/audit/verify", ctx =>
            ctx.Response.WriteJsonAsync(200, reader.Verify(), AuditJsonContext.Default.AuditVerifyResponse, ctx.Aborted));
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
