using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Daemon.Http;

namespace Bulwark.Daemon.Hosting;

/// <summary>
/// A TCP endpoint served only with mutual TLS: TLS 1.2 or 1.3, a client certificate required and verified against the
/// configured CA alone (not the system store), within its validity period and fit for client authentication.
/// </summary>
internal static class MutualTlsListener
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    public static ServerEndpoint Bind(ApiHost host, TlsSettings tls)
    {
        var options = ServerOptions(tls);
        var address = host.Address is "0.0.0.0" or "*" ? IPAddress.Any
            : IPAddress.TryParse(host.Address, out var ip) ? ip
            : Dns.GetHostAddresses(host.Address).FirstOrDefault()
                ?? throw new ArgumentException($"-H {host}: cannot resolve {host.Address}");
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, host.Port));
            socket.Listen(512);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on {host}: {ex.Message}", ex);
        }
        return new ServerEndpoint(socket, options);
    }

    public static SslServerAuthenticationOptions ServerOptions(TlsSettings tls)
    {
        X509Certificate2 server;
        X509Certificate2 ca;
        try
        {
            server = X509Certificate2.CreateFromPemFile(tls.CertFile!, tls.KeyFile);
            ca = X509CertificateLoader.LoadCertificateFromFile(tls.CaCertFile!);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"cannot load the TLS files (--tlscert {tls.CertFile}, --tlskey {tls.KeyFile}, --tlscacert {tls.CaCertFile}): {ex.Message}");
        }
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(server, additionalCertificates: null, offline: true),
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && IsTrusted(new X509Certificate2(certificate), ca),
        };
    }

    /// <summary>True when <paramref name="client"/> chains to <paramref name="ca"/> only, is valid now, and allows client authentication.</summary>
    internal static bool IsTrusted(X509Certificate2 client, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        return chain.Build(client) && chain.ChainElements[^1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span);
    }
}
