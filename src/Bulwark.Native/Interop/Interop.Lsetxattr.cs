using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int LsetxattrRaw(string path, string name, byte* value, nuint size, int flags);

    /// <summary>lsetxattr(2): sets an extended attribute without following a final symlink.</summary>
    public static unsafe int Lsetxattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            return LsetxattrRaw(path, name, p, (nuint)value.Length, 0);
        }
    }
}
