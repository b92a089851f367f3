using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const int AtSymlinkFollow = 0x400;

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);
}
