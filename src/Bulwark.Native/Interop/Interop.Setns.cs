using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int Setns(int fd, int nstype);
}
