using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    /// <summary>F_SETPIPE_SZ: sets a pipe's capacity (rounded up to a power-of-two number of pages).</summary>
    public const int FcntlSetPipeSize = 1031;

    /// <summary>fcntl(2) with an int argument.</summary>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);
}
