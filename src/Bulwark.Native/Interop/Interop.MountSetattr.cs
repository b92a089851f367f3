using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const ulong MountAttrRdOnly = 0x1;
    public const ulong MountAttrNoSuid = 0x2;
    public const ulong MountAttrNoDev = 0x4;
    public const ulong MountAttrIdmap = 0x00100000;

    private const long SysMountSetattr = 442; // x86_64 and aarch64 share this number

    [StructLayout(LayoutKind.Sequential)]
    private struct MountAttr
    {
        public ulong AttrSet;
        public ulong AttrClr;
        public ulong Propagation;
        public ulong UsernsFd;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial long SyscallMountSetattr(long number, int dirfd, string path, uint flags, MountAttr* attr, nuint size);

    /// <summary>mount_setattr(2) setting <paramref name="attrSet"/> (with <see cref="MountAttrIdmap"/>, <paramref name="usernsFd"/> gives the mapping). Returns 0 or -1.</summary>
    public static unsafe int MountSetattr(int dirfd, string path, int flags, ulong attrSet, int usernsFd)
    {
        var attr = new MountAttr { AttrSet = attrSet, UsernsFd = (ulong)(uint)usernsFd };
        return (int)SyscallMountSetattr(SysMountSetattr, dirfd, path, (uint)flags, &attr, (nuint)sizeof(MountAttr));
    }
}
