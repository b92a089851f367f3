using System.Net.Sockets;
using Bulwark.Native;

namespace Bulwark.Engine.Ports;

/// <summary>
/// One direction of a forwarded TCP connection, moved in the kernel: splice(2) from the source socket into a pipe and
/// from the pipe into the destination socket, never blocking (both sockets and the pipe are non-blocking). The pipe
/// starts at the kernel's default size and grows to 1 MiB once the direction has carried 1 MiB (bulk transfers move more
/// per call; short exchanges pay nothing). At end of input the destination is half-closed.
/// </summary>
internal sealed class SpliceDirection : IDisposable
{
    private const int LargePipe = 1 << 20;
    private const int DefaultPipe = 64 * 1024;
    private const long GrowAfterBytes = 1 << 20;
    /// <summary>Rounds of fill and drain per call, so one busy connection cannot hold the loop.</summary>
    private const int Budget = 16;

    private readonly int _source;
    private readonly Socket _destination;
    private readonly int _destinationFd;
    private readonly int _pipeRead;
    private readonly int _pipeWrite;
    private int _capacity = DefaultPipe;
    private long _pending;
    private long _moved;
    private bool _sourceEnded;
    private bool _grown;

    private SpliceDirection(int source, Socket destination, int pipeRead, int pipeWrite)
    {
        _source = source;
        _destination = destination;
        _destinationFd = (int)destination.SafeHandle.DangerousGetHandle();
        _pipeRead = pipeRead;
        _pipeWrite = pipeWrite;
    }

    /// <summary>True once the source has ended, everything has been passed on and the destination is half-closed.</summary>
    public bool Done { get; private set; }

    /// <summary>A direction from <paramref name="source"/> to <paramref name="destination"/>; null when no pipe could be made.</summary>
    public static SpliceDirection? TryCreate(Socket source, Socket destination)
    {
        var (read, write) = Interop.Pipe2(Interop.PipeCloexec | Interop.PipeNonblock);
        return read < 0 ? null : new SpliceDirection((int)source.SafeHandle.DangerousGetHandle(), destination, read, write);
    }

    /// <summary>
    /// Moves what can be moved now. Returns false when the connection failed (a reset, a closed peer: errno in
    /// <paramref name="errno"/>); true otherwise, with <paramref name="more"/> when the budget ran out while bytes were
    /// still moving (call again soon: an edge-triggered wait would not report them again).
    /// </summary>
    public bool Pump(out bool more, out int errno)
    {
        more = false;
        errno = 0;
        for (int round = 0; round < Budget; round++)
        {
            bool progressed = false;
            if (!_sourceEnded && _pending < _capacity)
            {
                nint n = Interop.Splice(_source, 0, _pipeWrite, 0, (nuint)(_capacity - _pending), Interop.SpliceMove | Interop.SpliceNonblock);
                if (n >= 0)
                {
                    _pending += n;
                    _sourceEnded = n == 0;
                    progressed = true;
                }
                else if (Failed(out errno))
                {
                    return false;
                }
            }
            if (_pending > 0)
            {
                nint n = Interop.Splice(_pipeRead, 0, _destinationFd, 0, (nuint)_pending, Interop.SpliceMove | Interop.SpliceNonblock);
                if (n > 0)
                {
                    _pending -= n;
                    _moved += n;
                    progressed = true;
                    GrowPipe();
                }
                else if (n == 0 || Failed(out errno))
                {
                    errno = errno == 0 ? Errno.EPIPE : errno;
                    return false;
                }
            }
            if (_sourceEnded && _pending == 0 && !Done)
            {
                Done = true;
                try
                {
                    _destination.Shutdown(SocketShutdown.Send);
                }
                catch (SocketException ex)
                {
                    errno = ex.ErrorCode;
                    return false;
                }
            }
            if (!progressed || Done)
            {
                return true;
            }
        }
        more = true;
        return true;
    }

    /// <summary>True for a real error (its errno out); false for "not now" (EAGAIN, EINTR).</summary>
    private static bool Failed(out int errno)
    {
        int e = Errno.Last;
        errno = e is Errno.EAGAIN or Errno.EINTR ? 0 : e;
        return errno != 0;
    }

    /// <summary>A bulk transfer gets a 1 MiB pipe (more per call); if the kernel refuses, the default pipe stays.</summary>
    private void GrowPipe()
    {
        if (!_grown && _moved >= GrowAfterBytes)
        {
            _grown = true;
            int size = Interop.Fcntl(_pipeWrite, Interop.FcntlSetPipeSize, LargePipe);
            if (size > _capacity)
            {
                _capacity = size;
            }
        }
    }

    public void Dispose()
    {
        _ = Interop.Close(_pipeRead);
        _ = Interop.Close(_pipeWrite);
    }
}
