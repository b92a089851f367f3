using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Native;

/// <summary>
/// The few bpf(2) commands bulwarkd uses: create a map, update and delete its elements, load a program and attach it
/// with a BPF link. Every object comes back as a descriptor the caller owns; a link detaches when its descriptor is
/// closed (also when the process dies), so nothing bulwarkd attaches outlives it.
/// </summary>
public static class Bpf
{
    private const int CmdMapCreate = 0;
    private const int CmdMapUpdateElem = 2;
    private const int CmdMapDeleteElem = 3;
    private const int CmdProgLoad = 5;
    private const int CmdLinkCreate = 28;

    public const int MapTypeHash = 1;
    public const int ProgTypeCgroupSockAddr = 18;
    public const int AttachCgroupInet4Connect = 10;
    public const int AttachCgroupInet6Connect = 11;

    /// <summary>One eBPF instruction (8 bytes: opcode, dst and src registers, offset, immediate).</summary>
    public readonly record struct Instruction(byte Code, byte Dst, byte Src, short Offset, int Immediate)
    {
        public void WriteTo(Span<byte> to)
        {
            to[0] = Code;
            to[1] = (byte)((Src << 4) | (Dst & 0x0f));
            BinaryPrimitives.WriteInt16LittleEndian(to[2..], Offset);
            BinaryPrimitives.WriteInt32LittleEndian(to[4..], Immediate);
        }
    }

    /// <summary>BPF_MAP_CREATE: a map of <paramref name="maxEntries"/> fixed-size keys and values.</summary>
    public static SafeFileHandle CreateMap(int type, int keySize, int valueSize, int maxEntries, string name)
    {
        Span<byte> attr = stackalloc byte[Interop.BpfAttrSize];
        attr.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(attr, type);
        BinaryPrimitives.WriteInt32LittleEndian(attr[4..], keySize);
        BinaryPrimitives.WriteInt32LittleEndian(attr[8..], valueSize);
        BinaryPrimitives.WriteInt32LittleEndian(attr[12..], maxEntries);
        WriteName(attr[28..44], name);
        return Handle(Interop.Bpf(CmdMapCreate, attr), "BPF_MAP_CREATE", name);
    }

    /// <summary>BPF_MAP_UPDATE_ELEM (BPF_ANY: add or replace).</summary>
    public static unsafe void UpdateElement(SafeFileHandle map, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            Span<byte> attr = stackalloc byte[Interop.BpfAttrSize];
            attr.Clear();
            BinaryPrimitives.WriteInt32LittleEndian(attr, Fd(map));
            BinaryPrimitives.WriteUInt64LittleEndian(attr[8..], (ulong)k);
            BinaryPrimitives.WriteUInt64LittleEndian(attr[16..], (ulong)v);
            Check(Interop.Bpf(CmdMapUpdateElem, attr), "BPF_MAP_UPDATE_ELEM");
        }
        GC.KeepAlive(map);
    }

    /// <summary>BPF_MAP_DELETE_ELEM; false when the key was not there.</summary>
    public static unsafe bool DeleteElement(SafeFileHandle map, ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
        {
            Span<byte> attr = stackalloc byte[Interop.BpfAttrSize];
            attr.Clear();
            BinaryPrimitives.WriteInt32LittleEndian(attr, Fd(map));
            BinaryPrimitives.WriteUInt64LittleEndian(attr[8..], (ulong)k);
            long r = Interop.Bpf(CmdMapDeleteElem, attr);
            GC.KeepAlive(map);
            if (r < 0 && Errno.Last == Errno.ENOENT)
            {
                return false;
            }
            Check(r, "BPF_MAP_DELETE_ELEM");
            return true;
        }
    }

    /// <summary>BPF_PROG_LOAD; a refusal carries the verifier's log in the exception message.</summary>
    public static unsafe SafeFileHandle LoadProgram(int type, int expectedAttachType, IReadOnlyList<Instruction> program, string name)
    {
        byte[] insns = new byte[program.Count * 8];
        for (int i = 0; i < program.Count; i++)
        {
            program[i].WriteTo(insns.AsSpan(i * 8));
        }
        byte[] license = "GPL\0"u8.ToArray(); // the kernel's word for "may call GPL-only helpers"; ours call none
        byte[] log = new byte[16 * 1024];
        fixed (byte* pi = insns)
        fixed (byte* pl = license)
        fixed (byte* pg = log)
        {
            Span<byte> attr = stackalloc byte[Interop.BpfAttrSize];
            attr.Clear();
            BinaryPrimitives.WriteInt32LittleEndian(attr, type);
            BinaryPrimitives.WriteInt32LittleEndian(attr[4..], program.Count);
            BinaryPrimitives.WriteUInt64LittleEndian(attr[8..], (ulong)pi);
            BinaryPrimitives.WriteUInt64LittleEndian(attr[16..], (ulong)pl);
            BinaryPrimitives.WriteInt32LittleEndian(attr[24..], 1); // log level: the verifier says why it refuses
            BinaryPrimitives.WriteInt32LittleEndian(attr[28..], log.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(attr[32..], (ulong)pg);
            WriteName(attr[48..64], name);
            BinaryPrimitives.WriteInt32LittleEndian(attr[68..], expectedAttachType);
            long fd = Interop.Bpf(CmdProgLoad, attr);
            if (fd < 0)
            {
                int errno = Errno.Last;
                int end = Array.IndexOf(log, (byte)0);
                string verifier = Encoding.UTF8.GetString(log, 0, end < 0 ? log.Length : end).Trim();
                throw new ErrnoException(errno, "BPF_PROG_LOAD", verifier.Length == 0 ? name : $"{name}: {LastLines(verifier)}");
            }
            return new SafeFileHandle((nint)fd, ownsHandle: true);
        }
    }

    /// <summary>BPF_LINK_CREATE: attaches <paramref name="program"/> to <paramref name="target"/> (a cgroup directory) until the link is closed.</summary>
    public static SafeFileHandle CreateLink(SafeFileHandle program, SafeFileHandle target, int attachType)
    {
        Span<byte> attr = stackalloc byte[Interop.BpfAttrSize];
        attr.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(attr, Fd(program));
        BinaryPrimitives.WriteInt32LittleEndian(attr[4..], Fd(target));
        BinaryPrimitives.WriteInt32LittleEndian(attr[8..], attachType);
        var link = Handle(Interop.Bpf(CmdLinkCreate, attr), "BPF_LINK_CREATE", "");
        GC.KeepAlive(program);
        GC.KeepAlive(target);
        return link;
    }

    private static int Fd(SafeFileHandle h) => (int)h.DangerousGetHandle();

    private static void WriteName(Span<byte> to, string name)
    {
        int n = Encoding.ASCII.GetBytes(name.AsSpan(0, Math.Min(name.Length, to.Length - 1)), to);
        to[n..].Clear();
    }

    private static SafeFileHandle Handle(long fd, string call, string what)
    {
        if (fd < 0)
        {
            throw new ErrnoException(Errno.Last, call, what);
        }
        return new SafeFileHandle((nint)fd, ownsHandle: true);
    }

    private static void Check(long r, string call)
    {
        if (r < 0)
        {
            throw new ErrnoException(Marshal.GetLastPInvokeError(), call, "");
        }
    }

    private static string LastLines(string log)
    {
        string[] lines = log.Split('\n');
        return string.Join(" | ", lines.Skip(Math.Max(0, lines.Length - 3)));
    }
}
