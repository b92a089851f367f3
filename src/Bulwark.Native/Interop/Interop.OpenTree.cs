using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const int OpenTreeClone = 0x1;
    public const int AtRecursive = 0x8000;

    private const long SysOpenTree = 428; // x86_64 and aarch64 share this number

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long SyscallOpenTree(long number, int dirfd, string path, uint flags);

    /// <summary>open_tree(2): with <see cref="OpenTreeClone"/>, a detached copy of the mount at <paramref name="path"/>. Returns the fd or -1.</summary>
    public static int OpenTree(int dirfd, string path, int flags) => (int)SyscallOpenTree(SysOpenTree, dirfd, path, (uint)flags);
}
