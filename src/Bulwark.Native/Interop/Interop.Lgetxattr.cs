using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint LgetxattrRaw(string path, string name, byte* value, nuint size);

    /// <summary>lgetxattr(2); null when absent or on failure.</summary>
    public static unsafe byte[]? Lgetxattr(string path, string name)
    {
        var buffer = new byte[65536];
        fixed (byte* p = buffer)
        {
            nint n = LgetxattrRaw(path, name, p, (nuint)buffer.Length);
            return n < 0 ? null : buffer.AsSpan(0, (int)n).ToArray();
        }
    }
}
