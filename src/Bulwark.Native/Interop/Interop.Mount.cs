using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    public const ulong MsRdOnly = 0x1;
    public const ulong MsNoSuid = 0x2;
    public const ulong MsNoDev = 0x4;
    public const ulong MsNoExec = 0x8;
    public const ulong MsRemount = 0x20;
    public const ulong MsBind = 0x1000;
    public const ulong MsRec = 0x4000;
    public const ulong MsPrivate = 0x40000;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string? fstype, ulong flags, string? data);
}
