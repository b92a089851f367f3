using System.Buffers.Binary;
using System.Net.Sockets;

namespace Bulwark.Daemon.Http;

/// <summary>Who is on the other end of a unix socket (SO_PEERCRED), for access control and the audit log.</summary>
internal static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static int? TryGetUid(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            int n = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
            return n >= 8 ? BinaryPrimitives.ReadInt32LittleEndian(ucred[4..]) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
