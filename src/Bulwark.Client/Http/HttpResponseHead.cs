namespace Bulwark.Client.Http;

/// <summary>Status line and headers of one HTTP/1.1 response.</summary>
public sealed record HttpResponseHead(int StatusCode, string ReasonPhrase, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>Header value or null; names compare case-insensitively.</summary>
    public string? GetHeader(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>True when the body is sent with <c>Transfer-Encoding: chunked</c>.</summary>
    public bool IsChunked =>
        GetHeader("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase);

    /// <summary>The declared Content-Length, or null.</summary>
    public long? ContentLength =>
        long.TryParse(GetHeader("Content-Length"), global::System.Globalization.NumberStyles.None,
            global::System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>True when the server asked to close the connection after this response.</summary>
    public bool ConnectionClose =>
        GetHeader("Connection") is { } c && c.Contains("close", StringComparison.OrdinalIgnoreCase);
}
