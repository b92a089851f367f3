using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Bulwark.Daemon.Http;

/// <summary>
/// Writes one response on the connection: a sized body, a chunked stream flushed as it goes, or a hijacked raw
/// stream (101 or legacy 200 without framing) after which the connection belongs to the handler.
/// </summary>
internal sealed class HttpResponse
{
    private readonly HttpConnection _connection;
    private readonly Stream _stream;
    private readonly bool _isHead;
    private readonly List<KeyValuePair<string, string>> _headers = [];

    public HttpResponse(HttpConnection connection, bool isHead, IEnumerable<KeyValuePair<string, string>> commonHeaders)
    {
        _connection = connection;
        _stream = connection.Stream;
        _isHead = isHead;
        _headers.AddRange(commonHeaders);
    }

    public bool Started { get; private set; }
    public bool Hijacked { get; private set; }
    public bool CloseAfter { get; set; }
    public int StatusCode { get; private set; }

    public void SetHeader(string name, string value)
    {
        _headers.RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        _headers.Add(new(name, value));
    }

    public Task WriteEmptyAsync(int status, CancellationToken ct) => WriteBytesAsync(status, null, ReadOnlyMemory<byte>.Empty, ct);

    public Task WriteJsonAsync<T>(int status, T value, JsonTypeInfo<T> typeInfo, CancellationToken ct) =>
        WriteBytesAsync(status, "application/json", JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), ct);

    public Task WriteTextAsync(int status, string contentType, string text, CancellationToken ct) =>
        WriteBytesAsync(status, contentType, Encoding.UTF8.GetBytes(text), ct);

    public async Task WriteBytesAsync(int status, string? contentType, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        EnsureNotStarted();
        var head = BeginHead(status);
        if (contentType is not null)
        {
            head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }
        if (status != 204 && status != 304)
        {
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }
        head.Append("\r\n");
        byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
        if (body.Length > 0 && !_isHead && status != 204 && status != 304)
        {
            byte[] all = new byte[headBytes.Length + body.Length];
            headBytes.CopyTo(all, 0);
            body.CopyTo(all.AsMemory(headBytes.Length));
            await _stream.WriteAsync(all, ct).ConfigureAwait(false);
        }
        else
        {
            await _stream.WriteAsync(headBytes, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the head of a chunked response now (so clients such as <c>docker run</c> see it at once).</summary>
    public async Task<ChunkedResponseStream> StartChunkedAsync(int status, string contentType, CancellationToken ct)
    {
        EnsureNotStarted();
        var head = BeginHead(status);
        head.Append("Content-Type: ").Append(contentType).Append("\r\nTransfer-Encoding: chunked\r\n\r\n");
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
        return new ChunkedResponseStream(_stream);
    }

    /// <summary>
    /// Takes over the connection for a raw bidirectional stream: <c>101 UPGRADED</c> when the client asked to upgrade,
    /// else moby's legacy <c>200 OK</c> without length or chunking (what Docker.DotNet expects).
    /// </summary>
    public async Task<HijackedStream> HijackAsync(bool upgrade, string contentType, CancellationToken ct)
    {
        EnsureNotStarted();
        Hijacked = true;
        CloseAfter = true;
        var head = upgrade ? BeginHead(101, "UPGRADED") : BeginHead(200);
        head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        if (upgrade)
        {
            head.Append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        }
        head.Append("\r\n");
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct).ConfigureAwait(false);
        return new HijackedStream(_connection);
    }

    private StringBuilder BeginHead(int status, string? reason = null)
    {
        Started = true;
        StatusCode = status;
        var sb = new StringBuilder(256);
        sb.Append("HTTP/1.1 ").Append(status).Append(' ').Append(reason ?? ReasonPhrase(status)).Append("\r\n");
        foreach (var h in _headers)
        {
            sb.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
        }
        if (CloseAfter)
        {
            sb.Append("Connection: close\r\n");
        }
        return sb;
    }

    private void EnsureNotStarted()
    {
        if (Started)
        {
            throw new InvalidOperationException("response already started");
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
