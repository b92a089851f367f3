using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Swarm;

/// <summary>
/// <c>/swarm</c>, <c>/services</c>, <c>/nodes</c>, <c>/tasks</c> and <c>/configs</c>: bulwarkd is a single host that is
/// never in a swarm, so these answer as a dockerd outside a swarm does (503 with Docker's wording), not 404. Clients'
/// clean-up code relies on that (docker-py's <c>leave_swarm(force=True)</c> treats 503 as done).
/// </summary>
internal static class SwarmEndpoints
{
    /// <summary>dockerd's answer to a swarm-manager request on a node outside a swarm.</summary>
    public const string NotManager =
        "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";

    /// <summary>dockerd's answer to <c>POST /swarm/leave</c> on a node outside a swarm.</summary>
    public const string NotInSwarm = "This node is not part of a swarm";

    /// <summary>Ours to <c>init</c>/<c>join</c>, which a dockerd would perform.</summary>
    public const string Unsupported = "bulwarkd does not support swarm mode: this node cannot init or join a swarm";

    /// <summary>(method, template) of every route this adapter answers.</summary>
    public static readonly (string Method, string Template)[] Routes =
    [
        ("GET", "/swarm"),
        ("POST", "/swarm/init"),
        ("POST", "/swarm/join"),
        ("POST", "/swarm/leave"),
        ("POST", "/swarm/update"),
        ("GET", "/swarm/unlockkey"),
        ("POST", "/swarm/unlock"),
        ("GET", "/services"),
        ("POST", "/services/create"),
        ("GET", "/services/{id}"),
        ("POST", "/services/{id}/update"),
        ("DELETE", "/services/{id}"),
        ("GET", "/services/{id}/logs"),
        ("GET", "/nodes"),
        ("GET", "/nodes/{id}"),
        ("POST", "/nodes/{id}/update"),
        ("DELETE", "/nodes/{id}"),
        ("GET", "/tasks"),
        ("GET", "/tasks/{id}"),
        ("GET", "/tasks/{id}/logs"),
        ("GET", "/configs"),
        ("POST", "/configs/create"),
        ("GET", "/configs/{id}"),
        ("POST", "/configs/{id}/update"),
        ("DELETE", "/configs/{id}"),
    ];

    public static void Map(DockerApiRouter router)
    {
        foreach (var (method, template) in Routes)
        {
            string message = template switch
            {
                "/swarm/leave" => NotInSwarm,
                "/swarm/init" or "/swarm/join" => Unsupported,
                _ => NotManager,
            };
            router.Map(method, template, _ => throw new EngineException(ErrorKind.Unavailable, message));
        }
    }
}
