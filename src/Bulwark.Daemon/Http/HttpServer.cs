using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Bulwark.Daemon.Http;

/// <summary>
/// A small HTTP/1.1 server on a listening socket. We own the connection loop (instead of Kestrel's pipeline) because
/// Docker's hijacked attach/exec streams need raw sockets with half-close, upgrade requests that carry bodies, and
/// unframed 200 responses; see docs/ARCHITECTURE.md.
/// </summary>
internal sealed partial class HttpServer
{
    private const int MaxHeaderCount = 200;
    private const string BusyBody = "{\"message\":\"too many open connections to bulwarkd: retry when others close\"}";
    private static readonly byte[] Busy = System.Text.Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
        BusyBody.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\r\n\r\n" + BusyBody);
    private readonly IReadOnlyList<ServerEndpoint> _endpoints;
    private readonly Func<HttpContext, Task> _handler;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _commonHeaders;
    private readonly ConnectionLimits _limits;
    private readonly ILogger _logger;
    private int _open;

    public HttpServer(Socket listener, Func<HttpContext, Task> handler, IReadOnlyList<KeyValuePair<string, string>> commonHeaders, ILogger logger)
        : this([new ServerEndpoint(listener)], handler, commonHeaders, new ConnectionLimits(), logger)
    {
    }

    public HttpServer(IReadOnlyList<ServerEndpoint> endpoints, Func<HttpContext, Task> handler, IReadOnlyList<KeyValuePair<string, string>> commonHeaders,
        ConnectionLimits limits, ILogger logger)
    {
        _endpoints = endpoints;
        _handler = handler;
        _commonHeaders = commonHeaders;
        _limits = limits;
        _logger = logger;
    }

    /// <summary>Connections open right now (hijacked streams included).</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(_endpoints.Select(e => AcceptLoopAsync(e, ct)));

    private async Task AcceptLoopAsync(ServerEndpoint endpoint, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await endpoint.Listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(_logger, ex.Message);
                continue;
            }
            if (Interlocked.Increment(ref _open) > _limits.MaxConnections)
            {
                _ = Task.Run(() => RefuseBusyAsync(client, endpoint), CancellationToken.None);
                continue;
            }
            _ = Task.Run(() => ServeConnectionAsync(client, endpoint, ct), CancellationToken.None);
        }
    }

    /// <summary>Beyond the connection cap: a plain client gets a 503 naming the cause, a TLS client a close (no handshake is spent on it).</summary>
    private async Task RefuseBusyAsync(Socket socket, ServerEndpoint endpoint)
    {
        try
        {
            LogTooManyConnections(_logger, _limits.MaxConnections);
            if (endpoint.Tls is null)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.SendAsync(Busy, SocketFlags.None, cts.Token).ConfigureAwait(false);
                socket.Shutdown(SocketShutdown.Send);
                // Discard what the client sent until it closes (bounded): closing with unread input resets the
                // connection, and the client would lose the 503.
                byte[] scratch = new byte[4096];
                while (await socket.ReceiveAsync(scratch, SocketFlags.None, cts.Token).ConfigureAwait(false) > 0)
                {
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task ServeConnectionAsync(Socket socket, ServerEndpoint endpoint, CancellationToken serverCt)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(serverCt);
        Stream? stream = null;
        try
        {
            using var headCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            headCts.CancelAfter(_limits.HeadTimeout);
            var (s, peer) = await OpenAsync(socket, endpoint, headCts.Token).ConfigureAwait(false);
            stream = s;
            var connection = new HttpConnection(socket, stream, peer);
            bool first = true;
            while (!cts.IsCancellationRequested)
            {
                if (!first)
                {
                    using var idleCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                    idleCts.CancelAfter(_limits.IdleTimeout);
                    if (!await connection.Reader.WaitForDataAsync(idleCts.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                    headCts.CancelAfter(_limits.HeadTimeout);
                }
                first = false;
                HttpRequest? request;
                try
                {
                    request = await ReadRequestAsync(connection.Reader, _limits.MaxHeadBytes, headCts.Token).ConfigureAwait(false);
                }
                catch (HttpProtocolException ex)
                {
                    var bad = new HttpResponse(connection, false, _commonHeaders) { CloseAfter = true };
                    await bad.WriteTextAsync(ex.Status, "application/json", "{\"message\":\"" + ex.Message + "\"}", cts.Token).ConfigureAwait(false);
                    return;
                }
                if (request is null)
                {
                    return;
                }
                headCts.CancelAfter(Timeout.InfiniteTimeSpan);
                var response = new HttpResponse(connection, request.Method == "HEAD", _commonHeaders);
                if ((request.Header("Connection") ?? "").Contains("close", StringComparison.OrdinalIgnoreCase))
                {
                    response.CloseAfter = true;
                }
                var context = new HttpContext { Request = request, Response = response, Aborted = cts.Token, Peer = connection.Peer };
                await _handler(context).ConfigureAwait(false);
                if (response.Hijacked)
                {
                    return;
                }
                if (response.CloseAfter || !response.Started)
                {
                    await CloseGracefullyAsync(connection).ConfigureAwait(false);
                    return;
                }
                if (!request.Body.Completed)
                {
                    await request.Body.DrainAsync(cts.Token).ConfigureAwait(false);
                }
            }
        }
        catch (System.Security.Authentication.AuthenticationException ex)
        {
            LogTlsRefused(_logger, RemoteOf(socket), ex.InnerException?.Message ?? ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or HttpProtocolException)
        {
            // The client went away, broke framing mid-stream, or was too slow: nothing to answer.
        }
        catch (Exception ex)
        {
            LogConnectionFailed(_logger, ex);
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            socket.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>The connection's byte stream and peer: SO_PEERCRED on unix sockets, a mutual TLS handshake on TCP.</summary>
    private static async Task<(Stream Stream, ConnectionPeer Peer)> OpenAsync(Socket socket, ServerEndpoint endpoint, CancellationToken ct)
    {
        var network = new NetworkStream(socket, ownsSocket: false);
        if (endpoint.Tls is null)
        {
            return (network, PeerCredentials.Read(socket));
        }
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsServerAsync(endpoint.Tls, ct).ConfigureAwait(false);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        string? name = tls.RemoteCertificate is { } cert ? new X509Certificate2(cert).GetNameInfo(X509NameType.SimpleName, false) : null;
        return (tls, new ConnectionPeer { Transport = ConnectionPeer.TlsTransport, CertificateName = name, RemoteAddress = RemoteOf(socket) });
    }

    private static string RemoteOf(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint?.ToString() ?? "?";
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return "?";
        }
    }

    /// <summary>
    /// Ends our side, then discards what the client still sends for a moment: closing with unread input makes the
    /// kernel reset the connection, and the client would lose the error response we just wrote.
    /// </summary>
    private static async Task CloseGracefullyAsync(HttpConnection connection)
    {
        var reader = connection.Reader;
        try
        {
            await connection.CloseOutputAsync().ConfigureAwait(false);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            byte[] scratch = new byte[64 * 1024];
            long drained = 0;
            while (drained < 64L * 1024 * 1024)
            {
                int n = await reader.ReadAsync(scratch, cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                drained += n;
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
    }

    private static async Task<HttpRequest?> ReadRequestAsync(ConnectionReader reader, int maxHeadBytes, CancellationToken ct)
    {
        long headStart = reader.LineBytesRead;
        string? line;
        do
        {
            line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }
        }
        while (line.Length == 0);

        string[] parts = line.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new HttpProtocolException("malformed request line");
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            string? h = await reader.ReadLineAsync(ct).ConfigureAwait(false)
                ?? throw new HttpProtocolException("connection closed inside a request head");
            if (h.Length == 0)
            {
                break;
            }
            if (reader.LineBytesRead - headStart > maxHeadBytes)
            {
                throw new HttpProtocolException($"request head larger than {maxHeadBytes} bytes", 431);
            }
            int colon = h.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new HttpProtocolException("malformed header line");
            }
            if (headers.Count >= MaxHeaderCount)
            {
                throw new HttpProtocolException("too many headers");
            }
            string name = h[..colon].Trim();
            string value = h[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out string? prev) ? prev + ", " + value : value;
        }

        bool chunked = headers.TryGetValue("Transfer-Encoding", out string? te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase);
        long length = 0;
        if (!chunked && headers.TryGetValue("Content-Length", out string? cl) && (!long.TryParse(cl, out length) || length < 0))
        {
            throw new HttpProtocolException("invalid Content-Length");
        }

        string target = parts[1];
        int q = target.IndexOf('?', StringComparison.Ordinal);
        string rawPath = q >= 0 ? target[..q] : target;
        return new HttpRequest
        {
            Method = parts[0],
            RawTarget = target,
            Path = Uri.UnescapeDataString(rawPath),
            Query = QueryString.Parse(q >= 0 ? target[(q + 1)..] : ""),
            Headers = headers,
            Body = new RequestBodyStream(reader, length, chunked),
        };
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "accept failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "connection handler failed")]
    private static partial void LogConnectionFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "connection refused: more than {Max} open connections")]
    private static partial void LogTooManyConnections(ILogger logger, int max);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "TLS handshake with {Remote} refused: {Reason}")]
    private static partial void LogTlsRefused(ILogger logger, string remote, string reason);
}
