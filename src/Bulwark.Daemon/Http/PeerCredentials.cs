using System.Buffers.Binary;
using System.Net.Sockets;

namespace Bulwark.Daemon.Http;

/// <summary>Who is on the other end of a unix socket: SO_PEERCRED's pid, uid and gid, fixed when the client connected.</summary>
internal static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static ConnectionPeer Read(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            int n = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
            if (n >= 12)
            {
                return new ConnectionPeer
                {
                    Transport = ConnectionPeer.UnixTransport,
                    Pid = BinaryPrimitives.ReadInt32LittleEndian(ucred),
                    Uid = BinaryPrimitives.ReadInt32LittleEndian(ucred[4..]),
                    Gid = BinaryPrimitives.ReadInt32LittleEndian(ucred[8..]),
                };
            }
        }
        catch (SocketException)
        {
        }
        return new ConnectionPeer { Transport = ConnectionPeer.UnixTransport };
    }
}
