using System.Runtime.InteropServices;
using System.Text;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint LlistxattrRaw(string path, byte* list, nuint size);

    /// <summary>llistxattr(2); empty when none or unsupported.</summary>
    public static unsafe IReadOnlyList<string> Llistxattr(string path)
    {
        var buffer = new byte[65536];
        nint n;
        fixed (byte* p = buffer)
        {
            n = LlistxattrRaw(path, p, (nuint)buffer.Length);
        }

        if (n <= 0)
        {
            return [];
        }

        return Encoding.UTF8.GetString(buffer, 0, (int)n).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }
}
