using System.Net.Sockets;
using Bulwark.Native;

namespace Bulwark.Engine.Ports;

/// <summary>
/// One direction of a forwarded TCP connection copied in the kernel: splice(2) moves the bytes from the source socket
/// into a pipe and from the pipe into the destination socket, so they never cross into user space. Runs on a thread of
/// its own (it waits in poll(2)); at end of input it half-closes the destination, as the async copy does. Cancelling
/// shuts both sockets down, which wakes the thread.
/// </summary>
internal static class SocketSplice
{
    private const int PipeSize = 1 << 20;
    private const nuint Chunk = 1 << 20;
    private const int PollTimeoutMs = 1000;
    private const int StackSize = 256 * 1024;

    /// <summary>
    /// Starts copying <paramref name="from"/> to <paramref name="to"/>; null when no pipe could be made (the caller copies
    /// the usual way). The task ends at end of input, or fails with the socket error that ended the copy.
    /// </summary>
    public static Task? TryStart(Socket from, Socket to, CancellationToken ct)
    {
        var (read, write) = Interop.Pipe2(Interop.PipeCloexec | Interop.PipeNonblock);
        if (read < 0)
        {
            return null;
        }
        _ = Interop.Fcntl(write, Interop.FcntlSetPipeSize, PipeSize); // a larger pipe moves more per call; the default works too
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using (ct.Register(() => ShutDown(from, to)))
                {
                    Copy(from, to, read, write, ct);
                }
                done.SetResult();
            }
            catch (Exception ex)
            {
                ShutDown(from, to);
                done.SetException(ex);
            }
            finally
            {
                _ = Interop.Close(read);
                _ = Interop.Close(write);
            }
        }, StackSize)
        {
            IsBackground = true,
            Name = "splice",
        };
        thread.UnsafeStart();
        return done.Task;
    }

    private static void Copy(Socket from, Socket to, int pipeRead, int pipeWrite, CancellationToken ct)
    {
        bool addedFrom = false, addedTo = false;
        from.SafeHandle.DangerousAddRef(ref addedFrom);
        to.SafeHandle.DangerousAddRef(ref addedTo);
        try
        {
            int source = (int)from.SafeHandle.DangerousGetHandle();
            int destination = (int)to.SafeHandle.DangerousGetHandle();
            while (true)
            {
                nint n = Interop.Splice(source, 0, pipeWrite, 0, Chunk, Interop.SpliceMove | Interop.SpliceNonblock);
                if (n > 0)
                {
                    Drain(pipeRead, destination, n, ct);
                    continue;
                }
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                int errno = Errno.Last;
                if (errno == Errno.EAGAIN)
                {
                    Wait(source, Interop.PollIn, ct);
                }
                else if (errno != Errno.EINTR)
                {
                    throw new SocketException(errno);
                }
            }
        }
        finally
        {
            if (addedFrom)
            {
                from.SafeHandle.DangerousRelease();
            }
            if (addedTo)
            {
                to.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Moves the <paramref name="pending"/> bytes in the pipe into the destination socket.</summary>
    private static void Drain(int pipeRead, int destination, nint pending, CancellationToken ct)
    {
        while (pending > 0)
        {
            nint n = Interop.Splice(pipeRead, 0, destination, 0, (nuint)pending, Interop.SpliceMove | Interop.SpliceNonblock);
            if (n > 0)
            {
                pending -= n;
                continue;
            }
            int errno = n == 0 ? Errno.EPIPE : Errno.Last;
            if (errno == Errno.EAGAIN)
            {
                Wait(destination, Interop.PollOut, ct);
            }
            else if (errno != Errno.EINTR)
            {
                throw new SocketException(errno);
            }
        }
    }

    private static void Wait(int fd, short events, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            int r = Interop.Poll(fd, events, PollTimeoutMs);
            if (r > 0)
            {
                return; // ready, or an error/hang-up the next splice reports
            }
            if (r < 0 && Errno.Last != Errno.EINTR)
            {
                throw new SocketException(Errno.Last);
            }
        }
    }

    private static void ShutDown(Socket a, Socket b)
    {
        foreach (var s in (Socket[])[a, b])
        {
            try
            {
                s.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // already closed
            }
        }
    }
}
