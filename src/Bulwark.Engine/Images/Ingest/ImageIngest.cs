using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Archives;
using Bulwark.Engine.Images.Layers;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Images.Ingest;

/// <summary>
/// The one path every image takes into the store (load, import, pull): config checked, each layer written to the content
/// store against its digest and unpacked into its snapshot with its diff id verified, the manifest kept or synthesized.
/// Returns the row to record; the caller records it (and collects garbage on failure) under the store's write lock.
/// </summary>
internal sealed class ImageIngest(ContentStore content, LayerSnapshots snapshots)
{
    public async Task<ImageRow> IngestAsync(PendingImage p, IProgress<LayerProgress>? progress, CancellationToken ct)
    {
        ImageConfigDocument doc;
        try
        {
            doc = JsonSerializer.Deserialize(p.ConfigBytes, ImageJsonContext.Default.ImageConfigDocument)
                ?? throw EngineException.Invalid($"image {p.ConfigDigest}: config is empty");
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid($"image {p.ConfigDigest}: invalid config JSON: {ex.Message}");
        }

        var diffIds = doc.RootFs?.DiffIds ?? [];
        if (diffIds.Count != p.Layers.Count)
        {
            throw EngineException.Invalid(
                $"image {p.ConfigDigest}: config lists {diffIds.Count} diff ids but the archive has {p.Layers.Count} layers");
        }

        var config = await content.WriteAsync(p.ConfigBytes, p.ConfigDigest, ct).ConfigureAwait(false);
        var layers = new List<LayerRow>();
        Digest? chain = null;
        for (int i = 0; i < p.Layers.Count; i++)
        {
            var l = p.Layers[i];
            if (!Digest.TryParse(diffIds[i], out var diffId))
            {
                throw EngineException.Invalid($"image {p.ConfigDigest}: diff id \"{diffIds[i]}\" is not a sha256 digest");
            }

            chain = chain is null ? diffId : LayerSnapshots.ChainId(chain.Value, diffId);
            layers.Add(await IngestLayerAsync(l, diffId, chain.Value, progress, ct).ConfigureAwait(false));
        }

        Digest manifestDigest;
        string manifestType;
        if (p.ManifestBytes is { } mb)
        {
            manifestDigest = (await content.WriteAsync(mb, p.ManifestDigest, ct).ConfigureAwait(false)).Digest;
            manifestType = p.ManifestMediaType ?? MediaTypes.OciManifest;
        }
        else
        {
            (manifestDigest, manifestType) = await WriteSynthesizedManifestAsync(config, layers, ct).ConfigureAwait(false);
        }

        return new ImageRow
        {
            Id = config.Digest.Value,
            ManifestDigest = manifestDigest.Value,
            ManifestMediaType = manifestType,
            ManifestFromSource = p.ManifestBytes is not null,
            Created = doc.Created,
            Added = DateTimeOffset.UtcNow,
            Layers = layers,
        };
    }

    /// <summary>An OCI manifest for a config and layers that came without one (import, a docker-save archive).</summary>
    public async Task<(Digest Digest, string MediaType)> WriteSynthesizedManifestAsync(BlobInfo config, IReadOnlyList<LayerRow> layers,
        CancellationToken ct)
    {
        var manifest = new OciManifest
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = config.Digest.Value, Size = config.Size },
            Layers = layers.Select(l => new OciDescriptor { MediaType = l.MediaType, Digest = l.Digest, Size = l.Size }).ToList(),
        };
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.OciManifest);
        var blob = await content.WriteAsync(bytes, null, ct).ConfigureAwait(false);
        return (blob.Digest, MediaTypes.OciManifest);
    }

    private async Task<LayerRow> IngestLayerAsync(PendingLayer l, Digest diffId, Digest chain, IProgress<LayerProgress>? progress,
        CancellationToken ct)
    {
        long total = new FileInfo(l.SpoolFile).Length;
        string shortName = l.ExpectedDigest?.Short ?? diffId.Short;
        progress?.Report(new LayerProgress(shortName, 0, total));
        string subject = $"layer {l.ExpectedDigest?.Value ?? l.Name}";
        if (l.ExpectedSize is { } want && want > 0 && want != total)
        {
            throw EngineException.Invalid($"{subject}: size mismatch ({total} bytes, descriptor says {want})");
        }

        BlobInfo blob;
        var src = new FileStream(l.SpoolFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await using (src.ConfigureAwait(false))
        {
            blob = await content.WriteAsync(src, l.ExpectedDigest, subject, ct).ConfigureAwait(false);
        }

        var (unpacked, compression) = await snapshots.EnsureAsync(chain, diffId, blob.Digest, ct).ConfigureAwait(false);
        progress?.Report(new LayerProgress(shortName, total, total));
        return new LayerRow
        {
            Digest = blob.Digest.Value,
            MediaType = l.MediaType ?? compression switch
            {
                LayerCompression.Gzip => MediaTypes.OciLayerGzip,
                LayerCompression.Zstd => MediaTypes.OciLayerZstd,
                _ => MediaTypes.OciLayer,
            },
            Size = blob.Size,
            DiffId = diffId.Value,
            ChainId = chain.Value,
            UnpackedSize = unpacked,
        };
    }
}
