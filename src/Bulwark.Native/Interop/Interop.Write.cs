using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteRaw(int fd, byte* buffer, nuint count);

    /// <summary>write(2) of <paramref name="buffer"/>: bytes written, or -1 on error.</summary>
    public static unsafe nint Write(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            return WriteRaw(fd, p, (nuint)buffer.Length);
        }
    }
}
