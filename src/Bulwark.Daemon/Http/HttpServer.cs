using System.Net.Sockets;
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
    private readonly Socket _listener;
    private readonly Func<HttpContext, Task> _handler;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _commonHeaders;
    private readonly ILogger _logger;

    public HttpServer(Socket listener, Func<HttpContext, Task> handler, IReadOnlyList<KeyValuePair<string, string>> commonHeaders, ILogger logger)
    {
        _listener = listener;
        _handler = handler;
        _commonHeaders = commonHeaders;
        _logger = logger;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(ct).ConfigureAwait(false);
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
            _ = Task.Run(() => ServeConnectionAsync(client, ct), CancellationToken.None);
        }
    }

    private async Task ServeConnectionAsync(Socket socket, CancellationToken serverCt)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(serverCt);
        int? peerUid = PeerCredentials.TryGetUid(socket);
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = new ConnectionReader(socket);
        try
        {
            while (!cts.IsCancellationRequested)
            {
                HttpRequest? request;
                try
                {
                    request = await ReadRequestAsync(reader, cts.Token).ConfigureAwait(false);
                }
                catch (HttpProtocolException ex)
                {
                    var bad = new HttpResponse(socket, stream, reader, false, _commonHeaders) { CloseAfter = true };
                    await bad.WriteTextAsync(400, "application/json", "{\"message\":\"" + ex.Message + "\"}", cts.Token).ConfigureAwait(false);
                    return;
                }
                if (request is null)
                {
                    return;
                }
                var response = new HttpResponse(socket, stream, reader, request.Method == "HEAD", _commonHeaders);
                if ((request.Header("Connection") ?? "").Contains("close", StringComparison.OrdinalIgnoreCase))
                {
                    response.CloseAfter = true;
                }
                var context = new HttpContext { Request = request, Response = response, Aborted = cts.Token, PeerUid = peerUid };
                await _handler(context).ConfigureAwait(false);
                if (response.Hijacked)
                {
                    return;
                }
                if (response.CloseAfter || !response.Started)
                {
                    await CloseGracefullyAsync(socket, reader).ConfigureAwait(false);
                    return;
                }
                if (!request.Body.Completed)
                {
                    await request.Body.DrainAsync(cts.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or HttpProtocolException)
        {
            // The client went away or broke framing mid-stream: nothing to answer.
        }
        catch (Exception ex)
        {
            LogConnectionFailed(_logger, ex);
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends our side, then discards what the client still sends for a moment: closing with unread input makes the
    /// kernel reset the connection, and the client would lose the error response we just wrote.
    /// </summary>
    private static async Task CloseGracefullyAsync(Socket socket, ConnectionReader reader)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
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

    private static async Task<HttpRequest?> ReadRequestAsync(ConnectionReader reader, CancellationToken ct)
    {
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
}
