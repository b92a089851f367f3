using System.Runtime.InteropServices;
using System.Text;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint ReadlinkatRaw(int dirfd, string path, byte* buf, nuint size);

    /// <summary>readlinkat(2); null on failure (errno via <see cref="Errno.Last"/>).</summary>
    public static unsafe string? Readlinkat(int dirfd, string path)
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            nint n = ReadlinkatRaw(dirfd, path, p, (nuint)buffer.Length);
            return n < 0 ? null : Encoding.UTF8.GetString(buffer, 0, (int)n);
        }
    }
}
