using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadRaw(int fd, byte* buffer, nuint count);

    /// <summary>read(2) into <paramref name="buffer"/>: bytes read, 0 at end of input, -1 on error.</summary>
    public static unsafe nint Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            return ReadRaw(fd, p, (nuint)buffer.Length);
        }
    }
}
