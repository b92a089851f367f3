using System.Buffers.Binary;
using System.Text;

namespace Bulwark.Audit.Tests.Sbom;

/// <summary>Builds a minimal little-endian ELF64 file with the given sections (enough for section lookup).</summary>
internal static class TestElf
{
    public static byte[] Build(params (string Name, byte[] Data)[] sections)
    {
        var names = new MemoryStream();
        names.WriteByte(0);
        var nameOffsets = new List<int>();
        foreach (var name in sections.Select(s => s.Name).Append(".shstrtab"))
        {
            nameOffsets.Add((int)names.Length);
            names.Write(Encoding.ASCII.GetBytes(name + "\0"));
        }

        var body = new MemoryStream();
        body.Write(new byte[64]);
        var offsets = new List<(long Offset, int Size)>();
        foreach (var data in sections.Select(s => s.Data).Append(names.ToArray()))
        {
            offsets.Add((body.Length, data.Length));
            body.Write(data);
        }

        while (body.Length % 8 != 0)
        {
            body.WriteByte(0);
        }

        long shoff = body.Length;
        body.Write(new byte[64]); // null section
        for (int i = 0; i < offsets.Count; i++)
        {
            var h = new byte[64];
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(0), (uint)nameOffsets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), i == offsets.Count - 1 ? 3u : 1u);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(0x18), (ulong)offsets[i].Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(0x20), (ulong)offsets[i].Size);
            body.Write(h);
        }

        var file = body.ToArray();
        "\u007fELF"u8.CopyTo(file);
        file[4] = 2; // ELFCLASS64
        file[5] = 1; // little endian
        file[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x10), 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x12), 62); // x86-64
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(0x28), (ulong)shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3A), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3C), (ushort)(offsets.Count + 1));
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3E), (ushort)offsets.Count);
        return file;
    }

    /// <summary>A Go 1.18+ .go.buildinfo blob: header, then varint-prefixed version and sentinel-wrapped modinfo.</summary>
    public static byte[] GoBuildInfo(string goVersion, string modinfo)
    {
        var blob = new MemoryStream();
        blob.WriteByte(0xFF);
        blob.Write(" Go buildinf:"u8);
        blob.WriteByte(8);
        blob.WriteByte(2);
        blob.Write(new byte[16]);
        WriteString(blob, Encoding.UTF8.GetBytes(goVersion));
        var sentinel = Enumerable.Range(0x30, 16).Select(i => (byte)i).ToArray();
        WriteString(blob, [.. sentinel, .. Encoding.UTF8.GetBytes(modinfo), .. sentinel]);
        return blob.ToArray();
    }

    private static void WriteString(Stream s, byte[] bytes)
    {
        ulong n = (ulong)bytes.Length;
        while (n >= 0x80)
        {
            s.WriteByte((byte)(n | 0x80));
            n >>= 7;
        }

        s.WriteByte((byte)n);
        s.Write(bytes);
    }
}
