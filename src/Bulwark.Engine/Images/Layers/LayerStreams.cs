using System.IO.Compression;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Images.Layers;

/// <summary>Detects a layer's compression from its magic bytes and opens the uncompressed tar stream.</summary>
public static class LayerStreams
{
    private static readonly byte[] GzipMagic = [0x1f, 0x8b];
    private static readonly byte[] ZstdMagic = [0x28, 0xb5, 0x2f, 0xfd];
    private static readonly byte[] XzMagic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
    private static readonly byte[] Bzip2Magic = [0x42, 0x5a, 0x68];

    public static LayerCompression Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(GzipMagic))
        {
            return LayerCompression.Gzip;
        }

        if (head.StartsWith(ZstdMagic))
        {
            return LayerCompression.Zstd;
        }

        return LayerCompression.None;
    }

    /// <summary>
    /// Returns the uncompressed stream of <paramref name="raw"/> (which it takes ownership of).
    /// <paramref name="what"/> names the object in errors.
    /// </summary>
    public static Stream OpenDecompressed(Stream raw, string what, out LayerCompression compression)
    {
        var head = new byte[8];
        int n = 0;
        while (n < head.Length)
        {
            int r = raw.Read(head, n, head.Length - n);
            if (r == 0)
            {
                break;
            }

            n += r;
        }

        var span = head.AsSpan(0, n);
        if (span.StartsWith(XzMagic) || span.StartsWith(Bzip2Magic))
        {
            raw.Dispose();
            throw EngineException.Invalid($"{what}: unsupported compression (only gzip, zstd and plain tar are accepted)");
        }

        compression = Detect(span);
        Stream joined = new PrefixedStream(head.AsMemory(0, n), raw);
        return compression switch
        {
            LayerCompression.Gzip => new GZipStream(joined, CompressionMode.Decompress, leaveOpen: false),
            LayerCompression.Zstd => new ZstdSharp.DecompressionStream(joined, leaveOpen: false),
            _ => joined,
        };
    }
}
