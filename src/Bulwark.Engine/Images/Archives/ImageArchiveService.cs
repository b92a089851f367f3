using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Collection;
using Bulwark.Engine.Images.Ingest;
using Bulwark.Engine.Images.Layers;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Images.Store;
using Bulwark.Engine.Metadata;
using Bulwark.Engine.Trust;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images.Archives;

/// <summary>
/// Images in and out as files: `docker import` (a rootfs tar), `docker load` (docker-save archive or OCI layout) and
/// `docker save`. A failed import or load records nothing and leaves no blob, snapshot or spool behind.
/// </summary>
internal sealed partial class ImageArchiveService(
    ContentStore content,
    ImageStore store,
    ImageIngest ingest,
    LayerSnapshots snapshots,
    ImageGarbageCollector collector,
    string tempRoot,
    Func<ContentTrust> trust,
    ILogger logger)
{
    /// <summary>`docker import`: one layer from a rootfs tar (plain, gzip or zstd), a fresh OCI config and manifest.</summary>
    public async Task<ImageRecord> ImportAsync(Stream rootfsTar, string? reference, IReadOnlyList<string> changes, string? message,
        CancellationToken ct)
    {
        trust().VerifyUnsignedContentAllowed("import");
        ImageReference? name = null;
        if (!string.IsNullOrEmpty(reference))
        {
            if (!ImageReference.TryParse(reference, out var r, out string? why) || r.Digest is not null)
            {
                throw EngineException.Invalid($"invalid reference format \"{reference}\": {why ?? "digest not allowed"}");
            }

            name = r.WithDefaultTag();
        }

        var container = ImageChanges.Apply(new ContainerConfigDocument(), changes);
        using var lease = await store.LockAsync(ct).ConfigureAwait(false);
        try
        {
            BlobInfo layer;
            try
            {
                var tar = LayerStreams.OpenDecompressed(rootfsTar, "import", out _);
                await using (tar.ConfigureAwait(false))
                {
                    layer = await content.WriteAsync(tar, null, "import layer", ct).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or ZstdSharp.ZstdException)
            {
                throw EngineException.Invalid($"import: corrupt compressed input: {ex.Message}");
            }

            var diffId = layer.Digest;
            var (unpacked, _) = await snapshots.EnsureAsync(diffId, diffId, layer.Digest, ct).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            var doc = new ImageConfigDocument
            {
                Created = now,
                Architecture = "amd64",
                Os = "linux",
                Comment = string.IsNullOrEmpty(message) ? null : message,
                Config = container,
                RootFs = new RootFsDocument { DiffIds = [diffId.Value] },
                History = [new HistoryDocument { Created = now, CreatedBy = "bulwark import", Comment = message ?? "Imported from tarball" }],
            };
            byte[] configBytes = JsonSerializer.SerializeToUtf8Bytes(doc, ImageJsonContext.Default.ImageConfigDocument);
            var config = await content.WriteAsync(configBytes, null, ct).ConfigureAwait(false);
            var layers = new List<LayerRow>
            {
                new() { Digest = layer.Digest.Value, MediaType = MediaTypes.OciLayer, Size = layer.Size, DiffId = diffId.Value,
                    ChainId = diffId.Value, UnpackedSize = unpacked },
            };
            var (manifestDigest, manifestType) = await ingest.WriteSynthesizedManifestAsync(config, layers, ct).ConfigureAwait(false);
            var row = new ImageRow
            {
                Id = config.Digest.Value,
                ManifestDigest = manifestDigest.Value,
                ManifestMediaType = manifestType,
                Created = now,
                Added = now,
                Layers = layers,
            };
            store.Commit([row], name is null ? [] : [new(name.Full, row.Id)], [], []);
            LogImported(logger, row.Id, name?.Familiar ?? "<none>");
            return store.ToRecord(row);
        }
        catch
        {
            collector.CollectQuietly();
            throw;
        }
    }

    /// <summary>`docker load`: a docker-save archive or an OCI layout (plain or compressed, seekable or not).</summary>
    public async Task<IReadOnlyList<LoadedImage>> LoadAsync(Stream archive, IProgress<LayerProgress>? progress, CancellationToken ct)
    {
        trust().VerifyUnsignedContentAllowed("load");
        using var lease = await store.LockAsync(ct).ConfigureAwait(false);
        string spoolDir = Path.Combine(tempRoot, "load-" + Guid.NewGuid().ToString("N"));
        try
        {
            var spool = await ArchiveSpool.ExtractAsync(archive, spoolDir, ct).ConfigureAwait(false);
            IReadOnlyList<PendingImage> pending;
            try
            {
                pending = OciLayoutReader.IsLayout(spool) ? OciLayoutReader.Read(spool)
                    : spool.Has("manifest.json") ? DockerArchiveReader.Read(spool)
                    : throw EngineException.Invalid("invalid archive: manifest.json missing");
            }
            catch (JsonException ex)
            {
                throw EngineException.Invalid($"invalid archive: {ex.Message}");
            }

            var rows = new List<ImageRow>();
            var tags = new List<KeyValuePair<string, string>>();
            var loaded = new List<LoadedImage>();
            foreach (var p in pending)
            {
                var row = await ingest.IngestAsync(p, progress, ct).ConfigureAwait(false);
                rows.Add(row);
                foreach (var n in p.Names)
                {
                    tags.Add(new(n.Full, row.Id));
                    loaded.Add(new LoadedImage(row.Id, n.Familiar));
                }

                if (p.Names.Count == 0)
                {
                    loaded.Add(new LoadedImage(row.Id, null));
                }
            }

            store.Commit(rows, tags, [], []);
            return loaded;
        }
        catch
        {
            collector.CollectQuietly();
            throw;
        }
        finally
        {
            ImageGarbageCollector.TryDeleteDirectory(spoolDir, logger);
        }
    }

    /// <summary>`docker save`: writes a docker-save archive that is also an OCI image layout.</summary>
    public async Task SaveAsync(IReadOnlyList<string> references, Stream output, CancellationToken ct)
    {
        if (references.Count == 0)
        {
            throw EngineException.Invalid("save: no image given");
        }

        var s = store.Tables;
        var byId = new Dictionary<string, (ImageRow Row, List<ImageReference> Tags)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var reference in references)
        {
            var hit = ImageStore.Find(reference, s) ?? throw EngineException.NotFound($"No such image: {reference}");
            if (!byId.TryGetValue(hit.Row.Id, out var entry))
            {
                entry = (hit.Row, []);
                byId[hit.Row.Id] = entry;
                order.Add(hit.Row.Id);
            }

            // Saved by ID or digest: no RepoTags, as dockerd writes (a later load reports "Loaded image ID:" once).
            List<ImageReference> add = hit.Tag is { } t ? [ImageReference.Parse(t)] : [];
            entry.Tags.AddRange(add.Where(a => !entry.Tags.Contains(a)));
        }

        // Hold the write lock so a concurrent rmi cannot collect blobs while they are being streamed.
        using var lease = await store.LockAsync(ct).ConfigureAwait(false);
        await ImageExporter.WriteAsync(content, order.Select(id => (byId[id].Row, (IReadOnlyList<ImageReference>)byId[id].Tags)).ToList(),
            output, ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "imported image {Id} as {Reference}")]
    private static partial void LogImported(ILogger logger, string id, string reference);
}
