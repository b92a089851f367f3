using System.Net.Sockets;

namespace Bulwark.Engine.Ports;

/// <summary>
/// One forwarded TCP connection as the <see cref="SpliceLoop"/> sees it: the accepted host socket, the socket to the
/// container port (its non-blocking connect may still be in progress) and the two directions between them. Both sockets
/// are non-blocking and never used by .NET's own socket engine (no async call on them), so readiness reaches only the loop.
/// </summary>
internal sealed class SplicedConnection(Socket client, Socket backend, bool connecting) : IDisposable
{
    private SpliceDirection? _up;
    private SpliceDirection? _down;

    public Socket Client { get; } = client;
    public Socket Backend { get; } = backend;

    /// <summary>True until the connect to the container port has completed (then the directions exist).</summary>
    public bool Connecting { get; private set; } = connecting;

    /// <summary>Both directions ended and were passed on: the connection can be closed.</summary>
    public bool Done => _up is { Done: true } && _down is { Done: true };

    /// <summary>Called when the backend reports readiness while connecting: false (with the reason) when the connect failed.</summary>
    public bool FinishConnect(out string reason)
    {
        reason = "";
        if (!Connecting)
        {
            return true;
        }
        var error = (SocketError)(int)Backend.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        if (error != SocketError.Success)
        {
            reason = "connect to the container port: " + error;
            return false;
        }
        Connecting = false;
        return true;
    }

    /// <summary>Creates the two directions (two pipes); false when the pipes could not be made.</summary>
    public bool Open()
    {
        _up = SpliceDirection.TryCreate(Client, Backend);
        _down = SpliceDirection.TryCreate(Backend, Client);
        return _up is not null && _down is not null;
    }

    /// <summary>Moves what both directions can move now; false (with the errno) when the connection failed.</summary>
    public bool Pump(out bool more, out int errno)
    {
        more = false;
        errno = 0;
        if (Connecting || _up is null || _down is null)
        {
            return true;
        }
        if (!_down.Pump(out bool moreDown, out errno) || !_up.Pump(out bool moreUp, out errno))
        {
            return false;
        }
        more = moreDown || moreUp;
        return true;
    }

    public void Dispose()
    {
        Client.Dispose();
        Backend.Dispose();
        _up?.Dispose();
        _down?.Dispose();
    }
}
