using Bulwark.Api.Models.Audit;
using Bulwark.Daemon.Access.Audit;
using Bulwark.Daemon.Api;
using Bulwark.Daemon.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Daemon.Access;

/// <summary>
/// In front of the router: who is calling (SO_PEERCRED or client certificate) → role → is this action allowed → audit
/// entry, before any handler runs. Denials answer 403 naming the identity, its role and the action, and are audited;
/// every request that changes state (any method but GET and HEAD) is audited with its outcome.
/// </summary>
internal sealed partial class AccessGate(
    AuthorizationPolicy? policy, IdentityResolver identities, AuditLog? audit, Func<HttpContext, Task> next, ILogger logger)
{
    public const string RequestIdHeader = "X-Bulwark-Request-Id";

    public async Task HandleAsync(HttpContext ctx)
    {
        var (_, path) = ApiVersioning.SplitVersion(ctx.Request.Path);
        var (action, target) = ApiActions.Classify(ctx.Request.Method, path, ctx.Request.Query.Get);
        var identity = identities.Resolve(ctx.Peer);
        var role = RoleOf(identity);
        string requestId = Guid.NewGuid().ToString("N")[..16];
        ctx.Response.SetHeader(RequestIdHeader, requestId);
        if (role is null || !role.Allows(action))
        {
            string message = role is null
                ? $"access denied: {identity.Name} has no role (no binding in \"authorization\" matches {Describe(identity)}), so it may not {action}"
                : $"access denied: {identity.Name} has role {role.Name}, which does not allow {action}";
            LogDenied(logger, identity.Name, role?.Name ?? "none", action, target);
            audit?.Append(Entry(identity, role, action, target, requestId, "denied", 403));
            await DockerApiRouter.WriteErrorAsync(ctx, 403, message).ConfigureAwait(false);
            return;
        }
        if (audit is null || ctx.Request.Method is "GET" or "HEAD")
        {
            await next(ctx).ConfigureAwait(false);
            return;
        }
        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        finally
        {
            int status = ctx.Response.Started ? ctx.Response.StatusCode : 0;
            audit.Append(Entry(identity, role, action, target, requestId, status is > 0 and < 400 ? "ok" : "error", status == 0 ? null : status));
        }
    }

    /// <summary>No authorization section: everyone who reaches the API is admin (Docker's model). Local root always is.</summary>
    private Role? RoleOf(CallerIdentity identity)
    {
        if (policy is null || identity.IsLocalRoot)
        {
            return Role.Admin;
        }
        Role? found = null;
        foreach (string subject in identity.Subjects)
        {
            if (policy.Bindings.TryGetValue(subject, out var role))
            {
                found = found is null || found == role ? role : Combine(found, role);
            }
        }
        return found;
    }

    private static Role Combine(Role a, Role b) =>
        a.AllowsEverything || b.AllowsEverything ? Role.Admin with { Name = a.Name + "+" + b.Name }
        : new Role(a.Name + "+" + b.Name, new HashSet<string>(a.Allowed.Concat(b.Allowed), StringComparer.Ordinal));

    private static string Describe(CallerIdentity identity) => identity.Subjects.Count == 0 ? "nothing (unknown peer)" : string.Join(", ", identity.Subjects);

    private static AuditEntry Entry(CallerIdentity identity, Role? role, string action, string target, string requestId, string outcome, int? status) => new()
    {
        Identity = identity.Name,
        Role = role?.Name,
        Transport = identity.Transport,
        Pid = identity.Pid,
        Remote = identity.RemoteAddress,
        Action = action,
        Target = target.Length == 0 ? null : target,
        Outcome = outcome,
        Status = status,
        RequestId = requestId,
    };

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "access denied: {Identity} (role {Role}) may not {Action} {Target}")]
    private static partial void LogDenied(ILogger logger, string identity, string role, string action, string target);
}
