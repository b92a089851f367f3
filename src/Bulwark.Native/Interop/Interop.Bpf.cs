using System.Runtime.InteropServices;

namespace Bulwark.Native;

public static partial class Interop
{
    /// <summary>The size of the kernel's <c>union bpf_attr</c> as this code fills it (zeroed beyond the fields it sets).</summary>
    public const int BpfAttrSize = 144;

    private const long SysBpf = 321; // x86_64

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long SyscallBpf(long number, int cmd, byte* attr, nuint size);

    /// <summary>bpf(2) with a <see cref="BpfAttrSize"/>-byte attribute block. Returns the result or -1 (errno via <see cref="Errno.Last"/>).</summary>
    public static unsafe long Bpf(int cmd, Span<byte> attr)
    {
        if (attr.Length != BpfAttrSize)
        {
            throw new ArgumentException($"bpf attributes must be {BpfAttrSize} bytes", nameof(attr));
        }
        fixed (byte* p = attr)
        {
            return SyscallBpf(SysBpf, cmd, p, BpfAttrSize);
        }
    }
}
