namespace Bulwark.Daemon.Http;

/// <summary>A request, its response, and who is calling.</summary>
internal sealed class HttpContext
{
    public required HttpRequest Request { get; init; }
    public required HttpResponse Response { get; init; }
    public required CancellationToken Aborted { get; init; }
    /// <summary>Who is on the other end, as the transport proves it (SO_PEERCRED or the client certificate).</summary>
    public required ConnectionPeer Peer { get; init; }
    /// <summary>Route values such as <c>{id}</c>.</summary>
    public Dictionary<string, string> RouteValues { get; } = new(StringComparer.Ordinal);
    /// <summary>The API version the client asked for (from the path), or the advertised one.</summary>
    public string ApiVersion { get; set; } = "";
}
