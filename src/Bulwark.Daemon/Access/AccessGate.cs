using Bulwark.Api.Models.Audit;
using Bulwark.Daemon.Access.Audit;
using Bulwark.Daemon.Access.Labels;
using Bulwark.Daemon.Api;
using Bulwark.Daemon.Http;
using Microsoft.Extensions.Logging;

namespace Bulwark.Daemon.Access;

/// <summary>
/// In front of the router: who is calling (SO_PEERCRED or client certificate) → role → is this action allowed → audit
/// entry, before any handler runs. Denials answer 403 naming the identity, its role and the action, and are audited;
/// every request that changes state (any method but GET and HEAD) is audited with its outcome. A label-scoped role
/// allows its actions only when the target's labels (or a create request's) match its selector.
/// </summary>
internal sealed partial class AccessGate(
    AuthorizationPolicy? policy, IdentityResolver identities, AuditLog? audit, Func<HttpContext, Task> next, ILogger logger,
    ITargetLabels? targetLabels = null)
{
    public const string RequestIdHeader = "X-Bulwark-Request-Id";

    public async Task HandleAsync(HttpContext ctx)
    {
        var (_, path) = ApiVersioning.SplitVersion(ctx.Request.Path);
        var (action, target) = ApiActions.Classify(ctx.Request.Method, path, ctx.Request.Query.Get);
        var identity = identities.Resolve(ctx.Peer);
        var roles = RolesOf(identity);
        string? roleName = roles.Count == 0 ? null : string.Join("+", roles.Select(r => r.Name));
        string requestId = Guid.NewGuid().ToString("N")[..16];
        ctx.Response.SetHeader(RequestIdHeader, requestId);
        if (await DenialAsync(ctx, identity, roles, roleName, action, target).ConfigureAwait(false) is { } message)
        {
            LogDenied(logger, identity.Name, roleName ?? "none", action, target);
            audit?.Append(Entry(identity, roleName, action, target, requestId, "denied", 403));
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
            audit.Append(Entry(identity, roleName, action, target, requestId, status is > 0 and < 400 ? "ok" : "error", status == 0 ? null : status));
        }
    }

    /// <summary>Null when allowed; else the 403 message naming identity, role, action (and the label rule that failed).</summary>
    private async Task<string?> DenialAsync(HttpContext ctx, CallerIdentity identity, IReadOnlyList<Role> roles, string? roleName, string action, string target)
    {
        if (roles.Count == 0)
        {
            return $"access denied: {identity.Name} has no role (no binding in \"authorization\" matches {Describe(identity)}), so it may not {action}";
        }
        if (roles.Any(r => r.Allows(action)))
        {
            return null;
        }
        var scoped = roles.Where(r => r.AllowsOnMatchingLabels(action)).ToList();
        if (scoped.Count == 0)
        {
            return $"access denied: {identity.Name} has role {roleName}, which does not allow {action}";
        }
        IReadOnlyList<LabelledObject> objects = targetLabels is null ? [new LabelledObject($"target {target}", null)]
            : await targetLabels.ObjectsOfAsync(action, target, ctx.Request, ctx.Aborted).ConfigureAwait(false);
        if (scoped.Any(r => objects.All(o => r.Labels!.Matches(o.Labels))))
        {
            return null;
        }
        string rule = string.Join(" or ", scoped.Select(r => r.Labels!.ToString()));
        var failing = objects.First(o => !scoped[0].Labels!.Matches(o.Labels));
        string found = failing.Labels is null ? "has no labels that could be read (not found?)"
            : failing.Labels.Count == 0 ? "has no labels"
            : "has labels " + string.Join(",", failing.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
        return $"access denied: {identity.Name} has role {roleName}, which allows {action} only on objects labelled {rule}; {failing.Description} {found}";
    }

    /// <summary>No authorization section: everyone who reaches the API is admin (Docker's model). Local root always is.</summary>
    private IReadOnlyList<Role> RolesOf(CallerIdentity identity)
    {
        if (policy is null || identity.IsLocalRoot)
        {
            return [Role.Admin];
        }
        var found = new List<Role>();
        foreach (string subject in identity.Subjects)
        {
            if (policy.Bindings.TryGetValue(subject, out var role) && !found.Contains(role))
            {
                found.Add(role);
            }
        }
        return found;
    }

    private static string Describe(CallerIdentity identity) => identity.Subjects.Count == 0 ? "nothing (unknown peer)" : string.Join(", ", identity.Subjects);

    private static AuditEntry Entry(CallerIdentity identity, string? role, string action, string target, string requestId, string outcome, int? status) => new()
    {
        Identity = identity.Name,
        Role = role,
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
