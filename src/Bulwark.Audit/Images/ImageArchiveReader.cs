using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Bulwark.Audit.Sbom;
using ZstdSharp;

namespace Bulwark.Audit.Images;

/// <summary>
/// Reads a <c>docker save</c> archive (the body of <c>GET /images/{name}/get</c> from any Docker API endpoint): spools its
/// files to a private temporary directory, follows <c>manifest.json</c> to the layers, and walks them in order
/// (plain, gzip or zstd tars). The temporary directory is removed before returning.
/// </summary>
public static class ImageArchiveReader
{
    public static async Task<(OsRelease? Os, List<SbomPackage> Packages)> ReadAsync(Stream archive, CancellationToken cancellationToken)
    {
        var temp = Directory.CreateTempSubdirectory("bulwark-scan-");
        try
        {
            await ExtractAsync(archive, temp.FullName, cancellationToken).ConfigureAwait(false);
            var layers = ReadLayerList(temp.FullName);
            var walker = new LayerWalker();
            for (int i = 0; i < layers.Count; i++)
            {
                string path = Path.Combine(temp.FullName, LayerWalker.Normalize(layers[i]));
                if (!File.Exists(path))
                {
                    throw new AuditException($"image archive is incomplete: layer {layers[i]} named in manifest.json is missing");
                }

                await using var file = File.OpenRead(path);
                await using var decompressed = Decompress(file);
                await using var reader = new TarReader(decompressed);
                await walker.ApplyAsync(i, reader, cancellationToken).ConfigureAwait(false);
            }

            return walker.Build();
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static async Task ExtractAsync(Stream archive, string root, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(archive);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                continue;
            }

            string name = LayerWalker.Normalize(entry.Name);
            if (name.Length == 0)
            {
                continue;
            }

            string path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var output = File.Create(path);
            await entry.DataStream.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<string> ReadLayerList(string root)
    {
        string manifest = Path.Combine(root, "manifest.json");
        if (!File.Exists(manifest))
        {
            throw new AuditException("not a docker image archive: manifest.json is missing");
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest));
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() == 0
                || !doc.RootElement[0].TryGetProperty("Layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw new AuditException("not a docker image archive: manifest.json lists no layers");
            }

            return [.. layers.EnumerateArray().Select(l => l.GetString() ?? throw new AuditException("manifest.json has a layer that is not a string"))];
        }
        catch (JsonException ex)
        {
            throw new AuditException("not a docker image archive: manifest.json is not valid JSON", ex);
        }
    }

    private static Stream Decompress(FileStream file)
    {
        Span<byte> magic = stackalloc byte[4];
        int n = file.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        file.Position = 0;
        if (n >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            return new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        }

        if (n == 4 && magic.SequenceEqual(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }))
        {
            return new DecompressionStream(file, leaveOpen: true);
        }

        return file;
    }
}
