using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Bulwark.Engine.Tests.Images.Layers;

/// <summary>Builds layer tarballs in memory (PAX format), optionally compressed.</summary>
public sealed class LayerTarBuilder
{
    private readonly MemoryStream buffer = new();
    private readonly TarWriter writer;

    public LayerTarBuilder()
    {
        writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true);
    }

    public static DateTimeOffset Epoch { get; } = new(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public LayerTarBuilder Dir(string name, UnixFileMode mode = (UnixFileMode)0x1ED, int uid = 0, int gid = 0)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, Uid = uid, Gid = gid, ModificationTime = Epoch });
        return this;
    }

    public LayerTarBuilder File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0,
        IDictionary<string, string>? pax = null)
    {
        var e = pax is null ? new PaxTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name, pax);
        e.Mode = mode;
        e.Uid = uid;
        e.Gid = gid;
        e.ModificationTime = Epoch;
        e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        writer.WriteEntry(e);
        return this;
    }

    public LayerTarBuilder Symlink(string name, string target)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, ModificationTime = Epoch });
        return this;
    }

    public LayerTarBuilder Hardlink(string name, string target)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Epoch });
        return this;
    }

    public LayerTarBuilder Device(TarEntryType type, string name, int major, int minor)
    {
        writer.WriteEntry(new PaxTarEntry(type, name) { DeviceMajor = major, DeviceMinor = minor, ModificationTime = Epoch });
        return this;
    }

    public LayerTarBuilder Fifo(string name)
    {
        writer.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, name) { Mode = (UnixFileMode)0x1A4, ModificationTime = Epoch });
        return this;
    }

    public byte[] Build()
    {
        writer.Dispose();
        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] tar)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(tar);
        }

        return ms.ToArray();
    }

    public static byte[] Zstd(byte[] tar)
    {
        using var c = new ZstdSharp.Compressor();
        return c.Wrap(tar).ToArray();
    }
}
