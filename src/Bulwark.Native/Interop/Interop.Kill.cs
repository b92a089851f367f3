using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
