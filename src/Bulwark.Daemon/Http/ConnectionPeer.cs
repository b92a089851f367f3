namespace Bulwark.Daemon.Http;

/// <summary>
/// Who is on the other end of a connection, as the transport proves it: SO_PEERCRED on a unix socket, the verified
/// client certificate on mutual TLS. Access control and the audit log turn this into an identity.
/// </summary>
internal sealed record ConnectionPeer
{
    public const string UnixTransport = "unix";
    public const string TlsTransport = "tls";

    public required string Transport { get; init; }
    public int? Uid { get; init; }
    public int? Gid { get; init; }
    public int? Pid { get; init; }
    /// <summary>Common name of the verified client certificate (mutual TLS only).</summary>
    public string? CertificateName { get; init; }
    /// <summary>The client's address on TCP (for the audit log), null on unix sockets.</summary>
    public string? RemoteAddress { get; init; }
}
