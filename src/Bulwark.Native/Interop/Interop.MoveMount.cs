using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const int MoveMountFEmptyPath = 0x4;

    private const long SysMoveMount = 429; // x86_64 and aarch64 share this number

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long SyscallMoveMount(long number, int fromDirfd, string fromPath, int toDirfd, string toPath, uint flags);

    /// <summary>move_mount(2): attaches a detached mount (an <see cref="OpenTree"/> fd with <see cref="MoveMountFEmptyPath"/>) at <paramref name="toPath"/>. Returns 0 or -1.</summary>
    public static int MoveMount(int fromDirfd, string fromPath, int toDirfd, string toPath, int flags) =>
        (int)SyscallMoveMount(SysMoveMount, fromDirfd, fromPath, toDirfd, toPath, (uint)flags);
}
