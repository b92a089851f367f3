namespace Bulwark.Daemon.Http;

/// <summary>A request, its response, and who is calling.</summary>
internal sealed class HttpContext
{
    public required HttpRequest Request { get; init; }
    public required HttpResponse Response { get; init; }
    public required CancellationToken Aborted { get; init; }
    /// <summary>Peer uid from SO_PEERCRED, when known.</summary>
    public int? PeerUid { get; init; }
    /// <summary>Route values such as <c>{id}</c>.</summary>
    public Dictionary<string, string> RouteValues { get; } = new(StringComparer.Ordinal);
    /// <summary>The API version the client asked for (from the path), or the advertised one.</summary>
    public string ApiVersion { get; set; } = "";
}
