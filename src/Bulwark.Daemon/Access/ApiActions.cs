using Bulwark.Daemon.Api;
using Bulwark.Daemon.Api.Swarm;

namespace Bulwark.Daemon.Access;

/// <summary>
/// The closed set of actions roles grant, and which API route is which action. Every route the router maps must be
/// listed here (a test checks); a request that matches no entry is <see cref="Unclassified"/>, which only admins may do.
/// </summary>
internal static class ApiActions
{
    public const string Unclassified = "unclassified";

    private static readonly (string Method, string Template, string Action)[] Table =
    [
        ("GET", "/_ping", "system.ping"),
        ("HEAD", "/_ping", "system.ping"),
        ("GET", "/version", "system.info"),
        ("GET", "/info", "system.info"),
        ("GET", "/system/df", "system.df"),
        ("GET", "/events", "system.events"),
        ("POST", "/build/prune", "image.prune"),
        ("GET", "/containers/json", "container.list"),
        ("POST", "/containers/create", "container.create"),
        ("POST", "/containers/prune", "container.prune"),
        ("GET", "/containers/{id}/json", "container.inspect"),
        ("GET", "/containers/{id}/top", "container.inspect"),
        ("GET", "/containers/{id}/changes", "container.inspect"),
        ("GET", "/containers/{id}/stats", "container.stats"),
        ("GET", "/containers/{id}/logs", "container.logs"),
        ("POST", "/containers/{id}/start", "container.start"),
        ("POST", "/containers/{id}/stop", "container.stop"),
        ("POST", "/containers/{id}/restart", "container.restart"),
        ("POST", "/containers/{id}/kill", "container.kill"),
        ("POST", "/containers/{id}/pause", "container.pause"),
        ("POST", "/containers/{id}/unpause", "container.pause"),
        ("POST", "/containers/{id}/rename", "container.rename"),
        ("POST", "/containers/{id}/update", "container.update"),
        ("POST", "/containers/{id}/wait", "container.wait"),
        ("POST", "/containers/{id}/attach", "container.attach"),
        ("POST", "/containers/{id}/resize", "container.attach"),
        ("DELETE", "/containers/{id}", "container.remove"),
        ("GET", "/containers/{id}/archive", "container.copy-from"),
        ("HEAD", "/containers/{id}/archive", "container.copy-from"),
        ("GET", "/containers/{id}/export", "container.copy-from"),
        ("PUT", "/containers/{id}/archive", "container.copy-to"),
        ("POST", "/containers/{id}/exec", "container.exec"),
        ("POST", "/exec/{id}/start", "container.exec"),
        ("POST", "/exec/{id}/resize", "container.exec"),
        ("GET", "/exec/{id}/json", "container.inspect"),
        ("GET", "/images/json", "image.list"),
        ("GET", "/images/{name*}/json", "image.inspect"),
        ("GET", "/images/{name*}/history", "image.inspect"),
        ("POST", "/images/{name*}/verify", "image.inspect"),
        ("POST", "/images/create", "image.pull"),
        ("POST", "/images/{name*}/push", "image.push"),
        ("POST", "/images/{name*}/tag", "image.tag"),
        ("DELETE", "/images/{name*}", "image.remove"),
        ("POST", "/images/prune", "image.prune"),
        ("POST", "/images/load", "image.load"),
        ("POST", "/commit", "image.commit"),
        ("POST", "/auth", "registry.login"),
        ("GET", "/images/get", "image.save"),
        ("GET", "/images/{name*}/get", "image.save"),
        ("GET", "/networks", "network.list"),
        ("GET", "/networks/{id}", "network.inspect"),
        ("POST", "/networks/create", "network.create"),
        ("POST", "/networks/{id}/connect", "network.connect"),
        ("POST", "/networks/{id}/disconnect", "network.connect"),
        ("DELETE", "/networks/{id}", "network.remove"),
        ("POST", "/networks/prune", "network.prune"),
        ("GET", "/volumes", "volume.list"),
        ("GET", "/volumes/{name}", "volume.inspect"),
        ("POST", "/volumes/create", "volume.create"),
        ("PUT", "/volumes/{name}", "volume.create"),
        ("DELETE", "/volumes/{name}", "volume.remove"),
        ("POST", "/volumes/prune", "volume.prune"),
        ("GET", "/secrets", "secret.read-metadata"),
        ("GET", "/secrets/{id}", "secret.read-metadata"),
        ("POST", "/secrets/create", "secret.create"),
        ("POST", "/secrets/{id}/update", "secret.update"),
        ("POST", "/secrets/{id}/versions", "secret.update"),
        ("POST", "/secrets/rotate-key", "secret.rotate-key"),
        ("DELETE", "/secrets/{id}", "secret.remove"),
        ("GET", "/bulwark/audit", "audit.read"),
        ("GET", "/bulwark/audit/verify", "audit.read"),
        ("POST", "/bulwark/containers/{id}/isolate", "container.isolate"),
        ("GET", "/bulwark/containers/{id}/evidence", "container.evidence"),
        ("GET", "/bulwark/evidence/key", "container.evidence"),
        .. SwarmEndpoints.Routes.Select(r => (r.Method, r.Template, r.Method == "GET" ? "swarm.inspect" : "swarm.manage")),
    ];

    private static readonly Route[] Routes = [.. Table.Select(t => new Route(t.Method, t.Template, _ => Task.CompletedTask))];

    /// <summary>Every action a role may list, sorted (docs/SECURITY.md documents the same set).</summary>
    public static IReadOnlySet<string> All { get; } = new SortedSet<string>(Table.Select(t => t.Action), StringComparer.Ordinal);

    /// <summary>(method, template) of every classified route, for the test that checks the router against this table.</summary>
    public static IEnumerable<(string Method, string Template)> ClassifiedRoutes => Table.Select(t => (t.Method, t.Template));

    /// <summary>The action a request performs, and its target (the route's id or name, else a name from the query).</summary>
    public static (string Action, string Target) Classify(string method, string pathWithoutVersion, Func<string, string?> query)
    {
        string[] segments = pathWithoutVersion.Trim('/').Split('/');
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < Table.Length; i++)
        {
            if ((Table[i].Method == method || (method == "HEAD" && Table[i].Method == "GET")) && Routes[i].TryMatch(segments, values))
            {
                string target = values.TryGetValue("id", out string? id) ? id
                    : values.TryGetValue("name", out string? name) ? name
                    : query("fromImage") ?? query("name") ?? "";
                return (Table[i].Action, target);
            }
        }
        return (Unclassified, "");
    }
}
