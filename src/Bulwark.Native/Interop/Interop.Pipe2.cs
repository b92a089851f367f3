using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    /// <summary>O_CLOEXEC for pipe2(2).</summary>
    public const int PipeCloexec = 0x80000;

    /// <summary>O_NONBLOCK for pipe2(2).</summary>
    public const int PipeNonblock = 0x800;

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static unsafe partial int Pipe2Raw(int* fds, int flags);

    /// <summary>pipe2(2): (read end, write end), or (-1, -1) on failure (errno via <see cref="Errno.Last"/>).</summary>
    public static unsafe (int Read, int Write) Pipe2(int flags)
    {
        int* fds = stackalloc int[2];
        return Pipe2Raw(fds, flags) == 0 ? (fds[0], fds[1]) : (-1, -1);
    }
}
