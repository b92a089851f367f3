namespace Bulwark.Client.Http;

/// <summary>
/// One request: a small in-memory body is sent with Content-Length, a <see cref="StreamBody"/> is sent chunked.
/// </summary>
public sealed record HttpRequest(string Method, string Target)
{
    public ReadOnlyMemory<byte>? Body { get; init; }

    public Stream? StreamBody { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Extra header lines, e.g. <c>Connection: Upgrade</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}
