using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const ulong ResolveNoXdev = 0x01;
    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveBeneath = 0x08;
    public const ulong ResolveInRoot = 0x10;

    private const long SysOpenat2 = 437; // x86_64 and aarch64 share this number

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial long Syscall4(long number, int dirfd, string path, OpenHow* how, nuint size);

    /// <summary>openat2(2). Returns the fd or -1 (errno via <see cref="Errno.Last"/>).</summary>
    public static unsafe int Openat2(int dirfd, string path, int flags, uint mode, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(uint)flags, Mode = mode, Resolve = resolve };
        return (int)Syscall4(SysOpenat2, dirfd, path, &how, (nuint)sizeof(OpenHow));
    }
}
