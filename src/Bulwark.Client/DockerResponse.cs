using Bulwark.Client.Http;

namespace Bulwark.Client;

/// <summary>
/// A response whose head has arrived; <see cref="Body"/> streams the rest. Disposing returns the connection to the
/// client for reuse when the body was read to its end, and closes it otherwise.
/// </summary>
public sealed class DockerResponse : IDisposable, IAsyncDisposable
{
    private readonly HttpConnection _connection;
    private readonly ReadOnlyBodyStream _body;
    private readonly Action<HttpConnection, bool> _release;
    private int _disposed;

    internal DockerResponse(HttpConnection connection, HttpResponseHead head, ReadOnlyBodyStream body,
        Action<HttpConnection, bool> release)
    {
        _connection = connection;
        Head = head;
        _body = body;
        _release = release;
    }

    public HttpResponseHead Head { get; }

    public int StatusCode => Head.StatusCode;

    public Stream Body => _body;

    /// <summary>Reads the whole body into memory.</summary>
    public async Task<byte[]> ReadBodyAsync(CancellationToken cancellationToken)
    {
        using var ms = new MemoryStream();
        await _body.CopyToAsync(ms, cancellationToken).ConfigureAwait(false);
        return ms.ToArray();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _release(_connection, _body.IsComplete && !Head.ConnectionClose && _body is not CloseDelimitedBodyStream);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
