using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;

    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEt = 1u << 31;

    /// <summary>Bytes of one struct epoll_event: packed (12) on x86-64, naturally aligned (16) elsewhere.</summary>
    public static int EpollEventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static unsafe partial int EpollCtlRaw(int epfd, int op, int fd, byte* ev);

    /// <summary>epoll_ctl(2): adds or removes <paramref name="fd"/> with its <paramref name="events"/> and user <paramref name="data"/>; 0 or -1.</summary>
    public static unsafe int EpollCtl(int epfd, int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollEventSize - 8) = data; // the data field follows the 4-byte events, packed or 8-aligned
        return EpollCtlRaw(epfd, op, fd, ev);
    }
}
