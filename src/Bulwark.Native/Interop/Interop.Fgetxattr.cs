using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "fgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint FgetxattrRaw(int fd, string name, byte* value, nuint size);

    /// <summary>fgetxattr(2) on an open (non-O_PATH) descriptor; null when absent or on failure.</summary>
    public static unsafe byte[]? Fgetxattr(int fd, string name)
    {
        var buffer = new byte[65536];
        fixed (byte* p = buffer)
        {
            nint n = FgetxattrRaw(fd, name, p, (nuint)buffer.Length);
            return n < 0 ? null : buffer.AsSpan(0, (int)n).ToArray();
        }
    }
}
