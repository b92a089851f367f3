using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const short PollIn = 0x001;
    public const short PollOut = 0x004;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollRaw(PollFd* fds, nuint count, int timeoutMs);

    /// <summary>poll(2) on one descriptor: its revents, 0 on timeout, -1 on error (errno via <see cref="Errno.Last"/>).</summary>
    public static unsafe int Poll(int fd, short events, int timeoutMs)
    {
        var p = new PollFd { Fd = fd, Events = events };
        int n = PollRaw(&p, 1, timeoutMs);
        return n <= 0 ? n : p.Revents;
    }
}
