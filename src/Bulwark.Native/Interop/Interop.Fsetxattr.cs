using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "fsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int FsetxattrRaw(int fd, string name, byte* value, nuint size, int flags);

    public static unsafe int Fsetxattr(int fd, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return FsetxattrRaw(fd, name, p, (nuint)value.Length, 0);
        }
    }
}
