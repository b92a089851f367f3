using System.Net.Security;
using System.Net.Sockets;

namespace Bulwark.Daemon.Http;

/// <summary>A listening socket the server accepts on; with <see cref="Tls"/> every connection is TLS first (mutual TLS on TCP).</summary>
internal sealed record ServerEndpoint(Socket Listener, SslServerAuthenticationOptions? Tls = null)
{
    public string Transport => Tls is null ? ConnectionPeer.UnixTransport : ConnectionPeer.TlsTransport;
}
