using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    /// <summary>EPOLL_CLOEXEC for epoll_create1(2).</summary>
    public const int EpollCloexec = 0x80000;

    /// <summary>epoll_create1(2): a new epoll descriptor, or -1 (errno via <see cref="Errno.Last"/>).</summary>
    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);
}
