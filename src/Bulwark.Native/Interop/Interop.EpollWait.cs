using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWaitRaw(int epfd, byte* events, int maxEvents, int timeoutMs);

    /// <summary>
    /// epoll_wait(2) into <paramref name="events"/> (a buffer of <see cref="EpollEventSize"/>-byte entries): the number of
    /// ready entries, 0 on timeout, -1 on error. Read them with <see cref="EpollEventAt"/>.
    /// </summary>
    public static unsafe int EpollWait(int epfd, Span<byte> events, int timeoutMs)
    {
        fixed (byte* p = events)
        {
            return EpollWaitRaw(epfd, p, events.Length / EpollEventSize, timeoutMs);
        }
    }

    /// <summary>Entry <paramref name="index"/> of an epoll_wait buffer: its ready events and user data.</summary>
    public static (uint Events, ulong Data) EpollEventAt(ReadOnlySpan<byte> events, int index)
    {
        var entry = events.Slice(index * EpollEventSize, EpollEventSize);
        return (MemoryMarshal.Read<uint>(entry), MemoryMarshal.Read<ulong>(entry[(EpollEventSize - 8)..]));
    }
}
