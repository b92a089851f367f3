using System.Net.Security;
using System.Net.Sockets;

namespace Bulwark.Daemon.Http;

/// <summary>One accepted client connection: its socket, the byte stream over it (plain or TLS), buffered input, and its peer.</summary>
internal sealed class HttpConnection(Socket socket, Stream stream, ConnectionPeer peer)
{
    public Socket Socket { get; } = socket;
    public Stream Stream { get; } = stream;
    public ConnectionReader Reader { get; } = new(stream);
    public ConnectionPeer Peer { get; } = peer;

    /// <summary>Ends our output direction (TLS close_notify first), leaving the client's direction readable.</summary>
    public async Task CloseOutputAsync()
    {
        try
        {
            if (Stream is SslStream tls)
            {
                await tls.ShutdownAsync().ConfigureAwait(false);
            }
            Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
        }
    }
}
