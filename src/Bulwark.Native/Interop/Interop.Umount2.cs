using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const int MntForce = 1;
    public const int MntDetach = 2;

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);
}
