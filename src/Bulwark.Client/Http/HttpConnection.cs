using System.Net.Sockets;
using Bulwark.Client.Ssh;

namespace Bulwark.Client.Http;

/// <summary>One connection to the daemon: its unix socket, or an ssh process running dial-stdio on the far side.</summary>
internal sealed class HttpConnection : IDisposable
{
    private HttpConnection(Socket socket, Stream stream)
    {
        Socket = socket;
        Stream = stream;
        Reader = new HttpReader(stream);
    }

    public Socket? Socket { get; }

    public Stream Stream { get; }

    public HttpReader Reader { get; }

    /// <summary>True once a request was answered on this connection (so a stale keep-alive may be retried).</summary>
    public bool WasUsed { get; set; }

    public static Task<HttpConnection> ConnectAsync(DaemonAddress address, CancellationToken cancellationToken) => address switch
    {
        UnixSocketAddress unix => ConnectAsync(unix.Path, cancellationToken),
        SshAddress ssh => Task.FromResult(new HttpConnection(null!, SshProcessStream.Start(ssh))),
        _ => throw new ArgumentException($"unsupported daemon address {address.Display}"),
    };

    public static async Task<HttpConnection> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new DockerConnectionException(socketPath, ex);
        }

        return new HttpConnection(socket, new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>For tests: a connection over any duplex stream.</summary>
    public static HttpConnection FromStream(Stream stream) => new(null!, stream);

    /// <summary>Half-closes the write side (the daemon sees EOF on stdin).</summary>
    public void CloseWrite()
    {
        if (Stream is SshProcessStream ssh)
        {
            ssh.CloseWrite();
        }
        else
        {
            Socket?.Shutdown(SocketShutdown.Send);
        }
    }

    /// <summary>Sends the request and reads the response head.</summary>
    public async Task<HttpResponseHead> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        await HttpRequestWriter.WriteAsync(Stream, request, cancellationToken).ConfigureAwait(false);
        HttpResponseHead head;
        do
        {
            head = await Reader.ReadResponseHeadAsync(cancellationToken).ConfigureAwait(false);
        }
        while (head.StatusCode is 100 or 102 or 103);

        WasUsed = true;
        return head;
    }

    /// <summary>The body stream for a response, framed per RFC 9112 §6.3.</summary>
    public ReadOnlyBodyStream OpenBody(string method, HttpResponseHead head)
    {
        if (method == "HEAD" || head.StatusCode is (>= 100 and < 200) or 204 or 304)
        {
            return new EmptyBodyStream();
        }

        if (head.IsChunked)
        {
            return new ChunkedBodyStream(Reader);
        }

        return head.ContentLength is { } length
            ? new ContentLengthBodyStream(Reader, length)
            : new CloseDelimitedBodyStream(Reader);
    }

    public void Dispose() => Stream.Dispose();
}
