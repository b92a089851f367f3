namespace Bulwark.Daemon.Http;

/// <summary>One parsed HTTP/1.1 request head plus its body stream.</summary>
internal sealed class HttpRequest
{
    public required string Method { get; init; }
    /// <summary>Decoded path without the query string.</summary>
    public required string Path { get; init; }
    public required string RawTarget { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required QueryString Query { get; init; }
    public required RequestBodyStream Body { get; init; }

    public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;

    /// <summary>True when the client sent both <c>Upgrade</c> and <c>Connection: Upgrade</c> (compared case-insensitively).</summary>
    public bool WantsUpgrade =>
        Header("Upgrade") is not null
        && (Header("Connection") ?? "").Split(',').Any(t => t.Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase));

    public bool HasBody => Body.Completed is false;
}
