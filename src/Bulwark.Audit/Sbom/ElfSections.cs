using System.Buffers.Binary;
using System.Text;

namespace Bulwark.Audit.Sbom;

/// <summary>Finds a named section in an ELF file (32 or 64 bit, either byte order) held in memory.</summary>
public static class ElfSections
{
    public static bool IsElf(ReadOnlySpan<byte> data) => data.Length >= 52 && data[..4].SequenceEqual("\u007fELF"u8);

    /// <summary>The bytes of section <paramref name="name"/>, or empty when the file has no such section (or is not ELF).</summary>
    public static ReadOnlyMemory<byte> Find(ReadOnlyMemory<byte> file, string name)
    {
        var data = file.Span;
        if (!IsElf(data))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        bool is64 = data[4] == 2;
        bool little = data[5] != 2;
        int word = is64 ? 8 : 4;
        ulong shoff = U(data, little, is64 ? 0x28 : 0x20, word);
        ulong shentsize = U(data, little, is64 ? 0x3A : 0x2E, 2);
        ulong shnum = U(data, little, is64 ? 0x3C : 0x30, 2);
        ulong shstrndx = U(data, little, is64 ? 0x3E : 0x32, 2);
        if (shoff == 0 || shoff >= (ulong)data.Length || shnum == 0 || shstrndx >= shnum || shentsize < (ulong)(is64 ? 64 : 40))
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var layout = (Shoff: shoff, Shentsize: shentsize, Is64: is64, Little: little);
        var strtab = Header(data, layout, shstrndx);
        if (strtab.Offset + strtab.Size > (ulong)data.Length)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var names = data.Slice((int)strtab.Offset, (int)strtab.Size);
        var wanted = Encoding.ASCII.GetBytes(name);
        for (ulong i = 0; i < shnum; i++)
        {
            var h = Header(data, layout, i);
            if (h.Name >= (ulong)names.Length || h.Type == 8 /* SHT_NOBITS */)
            {
                continue;
            }

            var rest = names[(int)h.Name..];
            int end = rest.IndexOf((byte)0);
            if (end == wanted.Length && rest[..end].SequenceEqual(wanted) && h.Offset + h.Size <= (ulong)data.Length)
            {
                return file.Slice((int)h.Offset, (int)h.Size);
            }
        }

        return ReadOnlyMemory<byte>.Empty;
    }

    private static ulong U(ReadOnlySpan<byte> data, bool little, int offset, int size)
    {
        if (offset < 0 || offset + size > data.Length)
        {
            return ulong.MaxValue;
        }

        var s = data.Slice(offset, size);
        return size switch
        {
            2 => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s),
            4 => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s),
            _ => little ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s),
        };
    }

    private static (ulong Name, ulong Type, ulong Offset, ulong Size) Header(
        ReadOnlySpan<byte> data, (ulong Shoff, ulong Shentsize, bool Is64, bool Little) layout, ulong index)
    {
        ulong at = layout.Shoff + (index * layout.Shentsize);
        if (at + layout.Shentsize > (ulong)data.Length)
        {
            return (0, 0, 0, 0);
        }

        int o = (int)at;
        bool l = layout.Little;
        return layout.Is64
            ? (U(data, l, o, 4), U(data, l, o + 4, 4), U(data, l, o + 0x18, 8), U(data, l, o + 0x20, 8))
            : (U(data, l, o, 4), U(data, l, o + 4, 4), U(data, l, o + 0x10, 4), U(data, l, o + 0x14, 4));
    }
}
