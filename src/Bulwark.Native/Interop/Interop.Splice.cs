using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    /// <summary>SPLICE_F_MOVE: move pages instead of copying them (a hint).</summary>
    public const uint SpliceMove = 1;

    /// <summary>SPLICE_F_NONBLOCK: do not block on the pipe (the sockets' own mode decides for them).</summary>
    public const uint SpliceNonblock = 2;

    /// <summary>splice(2) without offsets (both ends are pipes or sockets): bytes moved, 0 at end of input, -1 on error.</summary>
    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    public static partial nint Splice(int fdIn, nint offIn, int fdOut, nint offOut, nuint length, uint flags);
}
