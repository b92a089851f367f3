using System.Security.Cryptography;
using System.Text;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Networks;

/// <summary>
/// Networks, volumes and build cache as they exist on this daemon: the two network modes containers can use ("none",
/// the default, and "host", policy-gated), no user-defined networks, no named volumes, no build cache. Listing,
/// inspecting and pruning answer truthfully; creating is refused with 501 naming what is missing.
/// </summary>
internal static class NetworkEndpoints
{
    private static readonly (string Name, string Driver)[] Builtin = [("none", "null"), ("host", "host")];

    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("GET", "/networks", ctx => Json(ctx, "[" + string.Join(",", Builtin.Select(n => Network(n.Name, n.Driver, s))) + "]"));
        router.Map("GET", "/networks/{id}", ctx =>
        {
            string id = ctx.RouteValues["id"];
            var match = Builtin.Where(n => n.Name == id || NetworkId(n.Name, s).StartsWith(id, StringComparison.Ordinal)).ToList();
            return match.Count == 1
                ? Json(ctx, Network(match[0].Name, match[0].Driver, s))
                : throw EngineException.NotFound($"network {id} not found");
        });
        router.Map("POST", "/networks/create", _ => throw new EngineException(ErrorKind.NotImplemented,
            "network create is not supported: bridge networking is not implemented; containers use --network none (default) or host"));
        router.Map("POST", "/networks/prune", ctx => Json(ctx, "{\"NetworksDeleted\":[]}"));
        router.Map("POST", "/build/prune", ctx => Json(ctx, "{\"CachesDeleted\":[],\"SpaceReclaimed\":0}"));
    }

    private static Task Json(HttpContext ctx, string json) =>
        ctx.Response.WriteBytesAsync(200, "application/json", Encoding.UTF8.GetBytes(json), ctx.Aborted);

    /// <summary>A stable 64-hex id per daemon and network name.</summary>
    private static string NetworkId(string name, DaemonServices s) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s.Options.DaemonId + "/network/" + name)));

    private static string Network(string name, string driver, DaemonServices s) =>
        $"{{\"Name\":\"{name}\",\"Id\":\"{NetworkId(name, s)}\",\"Created\":\"{s.StartedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'}\"," +
        $"\"Scope\":\"local\",\"Driver\":\"{driver}\",\"EnableIPv6\":false,\"IPAM\":{{\"Driver\":\"default\",\"Options\":null,\"Config\":[]}}," +
        "\"Internal\":false,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false," +
        "\"Containers\":{},\"Options\":{},\"Labels\":{}}";
}
