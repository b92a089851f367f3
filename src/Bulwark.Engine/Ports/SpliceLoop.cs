using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Bulwark.Native;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Ports;

/// <summary>
/// The forwarding engine of one published TCP port: a single thread that waits in epoll(7) on the host listener and on
/// every forwarded connection's two sockets. It accepts, starts a non-blocking connect from inside the container's
/// network namespace to the container port (with a socket <see cref="NetnsSocketFactory"/> made ahead), and moves bytes
/// with splice(2) when a socket is ready, from the first byte, both directions. No thread per connection, no thread
/// hop per connection, no thread-pool work per readiness event (none of these sockets ever enters .NET's own socket
/// engine, whose per-event work items kept thread-pool workers spinning during bulk transfers), no copy through user
/// space. A refused inner connection closes the outer one. Disposing the loop closes every connection it holds.
/// </summary>
internal sealed class SpliceLoop : IDisposable
{
    private const ulong WakeData = ulong.MaxValue;
    private const ulong ListenerData = ulong.MaxValue - 1;
    private const uint SocketEvents = Interop.EpollIn | Interop.EpollOut | Interop.EpollRdHup | Interop.EpollEt;
    private const int MaxEvents = 64;

    private readonly Socket _listener;
    private readonly int _containerPort;
    private readonly NetnsSocketFactory _sockets;
    private readonly ILogger _logger;
    private readonly int _epoll;
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly ConcurrentQueue<SplicedConnection> _incoming = new();
    private readonly Dictionary<ulong, SplicedConnection> _live = [];
    /// <summary>Connections whose budget ran out with bytes still moving (edge-triggered: no new event will name them).</summary>
    private readonly HashSet<ulong> _busy = [];
    /// <summary>Guards the wake pipe against a write after the loop closed it (a descriptor number may be reused).</summary>
    private readonly Lock _wakeLock = new();
    private bool _closed;
    private ulong _nextId;
    private volatile bool _stopping;

    public SpliceLoop(Socket listener, int containerPort, string containerId, NetnsSocketFactory sockets, ILogger logger)
    {
        _listener = listener;
        _containerPort = containerPort;
        _sockets = sockets;
        _logger = logger;
        _listener.Blocking = false;
        _epoll = Interop.EpollCreate1(Interop.EpollCloexec);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1: errno {Errno.Last}");
        }
        (_wakeRead, _wakeWrite) = Interop.Pipe2(Interop.PipeCloexec | Interop.PipeNonblock);
        // Both level-triggered: the listener is accepted from one connection per report (no "would block" to catch).
        if (_wakeRead < 0 || Interop.EpollCtl(_epoll, Interop.EpollCtlAdd, _wakeRead, Interop.EpollIn, WakeData) < 0
            || Interop.EpollCtl(_epoll, Interop.EpollCtlAdd, Fd(listener), Interop.EpollIn, ListenerData) < 0)
        {
            int errno = Errno.Last;
            CloseDescriptors();
            throw new IOException($"splice loop: errno {errno}");
        }
        var thread = new Thread(Run, 256 * 1024)
        {
            IsBackground = true,
            Name = $"ports {containerId[..Math.Min(12, containerId.Length)]}:{containerPort}",
        };
        thread.UnsafeStart();
    }

    /// <summary>Hands a connection over to the loop (from any thread); after <see cref="Dispose"/> it is closed at once.</summary>
    private void Add(SplicedConnection connection)
    {
        lock (_wakeLock)
        {
            if (!_closed)
            {
                _incoming.Enqueue(connection);
                _ = Interop.Write(_wakeWrite, [1]); // a full pipe already wakes the loop
                return;
            }
        }
        connection.Dispose();
    }

    private void Run()
    {
        byte[] events = new byte[MaxEvents * Interop.EpollEventSize];
        byte[] drain = new byte[64];
        try
        {
            while (!_stopping)
            {
                int n = Interop.EpollWait(_epoll, events, _busy.Count > 0 ? 0 : -1);
                if (n < 0 && Errno.Last != Errno.EINTR)
                {
                    PortsLog.ConnectionEnded(_logger, _containerPort, $"epoll_wait: errno {Errno.Last}");
                    return;
                }
                for (int i = 0; i < n; i++)
                {
                    var (ready, data) = Interop.EpollEventAt(events, i);
                    if (data == WakeData)
                    {
                        while (Interop.Read(_wakeRead, drain) > 0)
                        {
                        }
                        continue;
                    }
                    if (data == ListenerData)
                    {
                        Accept();
                        continue;
                    }
                    Service(data >> 1, ready, fromBackend: (data & 1) == 1);
                }
                if (_busy.Count > 0)
                {
                    foreach (ulong id in _busy.ToArray())
                    {
                        _busy.Remove(id);
                        Service(id, 0, fromBackend: false);
                    }
                }
                while (_incoming.TryDequeue(out var connection))
                {
                    Register(connection);
                }
            }
        }
        finally
        {
            lock (_wakeLock)
            {
                _closed = true; // from here on Add closes what it is given
                CloseDescriptors();
            }
            _listener.Dispose();
            foreach (var connection in _live.Values)
            {
                connection.Dispose();
            }
            _live.Clear();
            while (_incoming.TryDequeue(out var connection))
            {
                connection.Dispose();
            }
        }
    }

    /// <summary>Accepts one connection and starts its inner connect; without a socket made ahead, waits for one off the loop.</summary>
    private void Accept()
    {
        Socket client;
        try
        {
            client = _listener.Accept();
        }
        catch (SocketException ex)
        {
            if (ex.SocketErrorCode != SocketError.WouldBlock)
            {
                PortsLog.AcceptFailed(_logger, _containerPort, ex.Message);
            }
            return;
        }
        catch (ObjectDisposedException)
        {
            return; // the port is being closed
        }
        if (_sockets.TryTake() is { } backend)
        {
            if (Start(client, backend) is { } connection)
            {
                Register(connection);
            }
            return;
        }
        _ = StartWhenCreatedAsync(client);
    }

    private async Task StartWhenCreatedAsync(Socket client)
    {
        try
        {
            var backend = await _sockets.CreateAsync(SocketType.Stream, ProtocolType.Tcp).ConfigureAwait(false);
            if (Start(client, backend) is { } connection)
            {
                Add(connection);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            PortsLog.ConnectionEnded(_logger, _containerPort, ex.Message);
            client.Dispose();
        }
    }

    /// <summary>
    /// Makes both sockets non-blocking and starts the connect to the container port without waiting for it (on loopback
    /// it usually completes at once; otherwise the backend's readiness finishes it). Null when it failed (both closed).
    /// </summary>
    private SplicedConnection? Start(Socket client, Socket backend)
    {
        bool connecting = false;
        try
        {
            client.Blocking = false;
            backend.Blocking = false;
            client.NoDelay = true;
            backend.NoDelay = true;
            try
            {
                backend.Connect(new IPEndPoint(IPAddress.Loopback, _containerPort));
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
            {
                connecting = true;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            PortsLog.ConnectionEnded(_logger, _containerPort, ex.Message);
            client.Dispose();
            backend.Dispose();
            return null;
        }
        return new SplicedConnection(client, backend, connecting);
    }

    private void Register(SplicedConnection connection)
    {
        ulong id = _nextId++;
        if (!connection.Connecting && !connection.Open())
        {
            Close(id, connection, "no pipe for the connection (descriptors exhausted)");
            return;
        }
        _live[id] = connection;
        if (Interop.EpollCtl(_epoll, Interop.EpollCtlAdd, Fd(connection.Client), SocketEvents, id << 1) < 0
            || Interop.EpollCtl(_epoll, Interop.EpollCtlAdd, Fd(connection.Backend), SocketEvents, (id << 1) | 1) < 0)
        {
            Close(id, connection, $"epoll_ctl: errno {Errno.Last}");
        }
        // No pump here: adding a descriptor reports its current readiness (bytes already waiting) at the next wait.
    }

    private void Service(ulong id, uint ready, bool fromBackend)
    {
        if (!_live.TryGetValue(id, out var connection))
        {
            return; // closed earlier in this batch
        }
        try
        {
            Move(id, connection, ready, fromBackend);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Close(id, connection, ex.Message); // one connection's failure never ends the loop
        }
    }

    private void Move(ulong id, SplicedConnection connection, uint ready, bool fromBackend)
    {
        if (connection.Connecting)
        {
            if (!fromBackend || ready == 0)
            {
                return; // the client's bytes wait in its socket until the connect completes
            }
            if (!connection.FinishConnect(out string reason))
            {
                Close(id, connection, reason);
                return;
            }
            if (!connection.Open())
            {
                Close(id, connection, "no pipe for the connection (descriptors exhausted)");
                return;
            }
        }
        if (!connection.Pump(out bool more, out int errno))
        {
            Close(id, connection, $"errno {errno}");
            return;
        }
        if (connection.Done || (ready & Interop.EpollErr) != 0)
        {
            Close(id, connection, connection.Done ? "closed" : "socket error");
            return;
        }
        if (more)
        {
            _busy.Add(id);
        }
    }

    private void Close(ulong id, SplicedConnection connection, string reason)
    {
        _live.Remove(id);
        _busy.Remove(id);
        _ = Interop.EpollCtl(_epoll, Interop.EpollCtlDel, Fd(connection.Client), 0, 0);
        _ = Interop.EpollCtl(_epoll, Interop.EpollCtlDel, Fd(connection.Backend), 0, 0);
        connection.Dispose();
        PortsLog.ConnectionEnded(_logger, _containerPort, reason);
    }

    private static int Fd(Socket s) => (int)s.SafeHandle.DangerousGetHandle();

    private void CloseDescriptors()
    {
        foreach (int fd in new[] { _epoll, _wakeRead, _wakeWrite })
        {
            if (fd >= 0)
            {
                _ = Interop.Close(fd);
            }
        }
    }

    /// <summary>Stops the loop; it closes every connection it holds, then its own descriptors.</summary>
    public void Dispose()
    {
        _stopping = true;
        lock (_wakeLock)
        {
            if (!_closed)
            {
                _ = Interop.Write(_wakeWrite, [1]);
            }
        }
    }
}
