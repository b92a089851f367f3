using System.Text;
using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Archives;
using Bulwark.Engine.Images.Layers;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Metadata;
using Bulwark.Native;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>`docker import`: one layer from a rootfs tar (plain, gzip or zstd), a fresh OCI config and manifest.</summary>
    public async Task<ImageRecord> ImportAsync(Stream rootfsTar, string? reference, IReadOnlyList<string> changes, string? message,
        CancellationToken ct)
    {
        Trust.VerifyUnsignedContentAllowed("import");
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
        await writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
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
                var (unpacked, _) = await EnsureSnapshotAsync(diffId, diffId, layer.Digest, ct).ConfigureAwait(false);
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
                var (manifestDigest, manifestType) = await WriteSynthesizedManifestAsync(config, layers, ct).ConfigureAwait(false);
                var row = new ImageRow
                {
                    Id = config.Digest.Value,
                    ManifestDigest = manifestDigest.Value,
                    ManifestMediaType = manifestType,
                    Created = now,
                    Added = now,
                    Layers = layers,
                };
                db.Write([row], name is null ? [] : [new(name.Full, row.Id)], [], []);
                state = LoadState();
                logger.LogInformation("imported image {Id} as {Reference}", row.Id, name?.Familiar ?? "<none>");
                return ToRecord(row, state);
            }
            catch
            {
                SafeCollectGarbage();
                throw;
            }
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>`docker load`: a docker-save archive or an OCI layout (plain or compressed, seekable or not).</summary>
    public async Task<IReadOnlyList<LoadedImage>> LoadAsync(Stream archive, IProgress<LayerProgress>? progress, CancellationToken ct)
    {
        Trust.VerifyUnsignedContentAllowed("load");
        await writeLock.WaitAsync(ct).ConfigureAwait(false);
        string spoolDir = Path.Combine(TempRoot, "load-" + Guid.NewGuid().ToString("N"));
        try
        {
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
                    var row = await IngestAsync(p, progress, ct).ConfigureAwait(false);
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

                db.Write(rows, tags, [], []);
                state = LoadState();
                return loaded;
            }
            catch
            {
                SafeCollectGarbage();
                throw;
            }
        }
        finally
        {
            TryDeleteDirectory(spoolDir);
            writeLock.Release();
        }
    }

    /// <summary>`docker save`: writes a docker-save archive that is also an OCI image layout.</summary>
    public async Task SaveAsync(IReadOnlyList<string> references, Stream output, CancellationToken ct)
    {
        if (references.Count == 0)
        {
            throw EngineException.Invalid("save: no image given");
        }

        var s = state;
        var byId = new Dictionary<string, (ImageRow Row, List<ImageReference> Tags)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var reference in references)
        {
            var hit = Find(reference, s) ?? throw EngineException.NotFound($"No such image: {reference}");
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
        await writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await ImageExporter.WriteAsync(content, order.Select(id => (byId[id].Row, (IReadOnlyList<ImageReference>)byId[id].Tags)).ToList(),
                output, ct).ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }
    }

    private async Task<ImageRow> IngestAsync(PendingImage p, IProgress<LayerProgress>? progress, CancellationToken ct)
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

            chain = chain is null ? diffId : ChainId(chain.Value, diffId);
            var (unpacked, compression) = await EnsureSnapshotAsync(chain.Value, diffId, blob.Digest, ct).ConfigureAwait(false);
            progress?.Report(new LayerProgress(shortName, total, total));
            layers.Add(new LayerRow
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
                ChainId = chain.Value.Value,
                UnpackedSize = unpacked,
            });
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

    private async Task<(Digest Digest, string MediaType)> WriteSynthesizedManifestAsync(BlobInfo config, IReadOnlyList<LayerRow> layers,
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

    /// <summary>chainid(n) = sha256(chainid(n-1) + " " + diffid(n)).</summary>
    public static Digest ChainId(Digest parent, Digest diffId) => Digest.Compute(Encoding.ASCII.GetBytes(parent.Value + " " + diffId.Value));

    /// <summary>
    /// Unpacks a layer blob into snapshots/&lt;chain hex&gt; unless it is there already: into snapshots/tmp-*, diff id
    /// verified, then renamed into place. Returns the unpacked size and the blob's compression.
    /// </summary>
    private async Task<(long Size, LayerCompression Compression)> EnsureSnapshotAsync(Digest chainId, Digest diffId, Digest blob,
        CancellationToken ct)
    {
        string final = Path.Combine(SnapshotsRoot, chainId.Hex);
        if (Directory.Exists(final))
        {
            // The snapshot is there, but this blob is new to it: it must still hash to the diff id it claims.
            var (actual, compression) = await Task.Run(() => DiffIdOf(blob), ct).ConfigureAwait(false);
            if (actual != diffId)
            {
                throw EngineException.Invalid($"layer {blob}: diff id mismatch (config says {diffId}, content is {actual})");
            }

            long known = state.Images.Values.SelectMany(i => i.Layers).FirstOrDefault(l => l.ChainId == chainId.Value)?.UnpackedSize
                ?? DirectorySize(final);
            return (known, compression);
        }

        string tmp = Path.Combine(SnapshotsRoot, "tmp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            var result = await Task.Run(() => LayerApplier.Apply(content.OpenRead(blob), tmp, blob.Value, ct), ct).ConfigureAwait(false);
            if (result.DiffId != diffId)
            {
                throw EngineException.Invalid($"layer {blob}: diff id mismatch (config says {diffId}, content is {result.DiffId})");
            }

            Directory.Move(tmp, final);
            ContentWriter.FsyncDirectory(SnapshotsRoot);
            return (result.Size, result.Compression);
        }
        catch
        {
            TryDeleteDirectory(tmp);
            throw;
        }
    }

    private (Digest DiffId, LayerCompression Compression) DiffIdOf(Digest blob)
    {
        try
        {
            using var tar = LayerStreams.OpenDecompressed(content.OpenRead(blob), $"layer {blob}", out var compression);
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = tar.Read(buffer, 0, buffer.Length)) > 0)
            {
                sha.AppendData(buffer, 0, n);
            }

            return (Digest.FromHash(sha.GetHashAndReset()), compression);
        }
        catch (Exception ex) when (ex is InvalidDataException or ZstdSharp.ZstdException)
        {
            throw EngineException.Invalid($"layer {blob}: corrupt compressed data: {ex.Message}");
        }
    }

    /// <summary>Mark and sweep (caller holds the write lock): returns the chain ids of removed snapshots.</summary>
    private List<string> CollectGarbage()
    {
        var images = db.LoadImages();
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        var chains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in images)
        {
            blobs.Add(i.Id);
            blobs.Add(i.ManifestDigest);
            foreach (var l in i.Layers)
            {
                blobs.Add(l.Digest);
                chains.Add(l.ChainId);
            }
        }

        foreach (var d in content.List())
        {
            if (!blobs.Contains(d.Value))
            {
                content.Delete(d);
            }
        }

        var removed = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(SnapshotsRoot))
        {
            string name = Path.GetFileName(dir);
            if (Digest.TryParse("sha256:" + name, out var chain) && !chains.Contains(chain.Value))
            {
                UnmountStale(dir);
                Directory.Delete(dir, recursive: true);
                removed.Add(chain.Value);
            }
            else if (name.Length > 64 && name[64] == '-' && Digest.TryParse("sha256:" + name[..64], out var baseChain)
                && !chains.Contains(baseChain.Value))
            {
                // A user-namespace shifted copy (<chain>-uid<start>) of a layer no image references any more.
                // Images stay referenced while a container uses them, so no running container loses its copy.
                UnmountStale(dir);
                Directory.Delete(dir, recursive: true);
            }
        }

        return removed;
    }

    private void SafeCollectGarbage()
    {
        try
        {
            CollectGarbage();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("garbage collection after a failed operation: {Error}", ex.Message);
        }
    }

    private void CleanStartup()
    {
        content.CleanIngest();
        foreach (var dir in Directory.EnumerateDirectories(SnapshotsRoot, "tmp-*"))
        {
            TryDeleteDirectory(dir);
        }

        foreach (var dir in Directory.EnumerateDirectories(TempRoot, "load-*"))
        {
            TryDeleteDirectory(dir);
        }

        writeLock.Wait();
        try
        {
            SafeCollectGarbage();
        }
        finally
        {
            writeLock.Release();
        }
    }

    private static void UnmountStale(string dir)
    {
        // Snapshots are never mount points; refuse to recurse into one that somehow is.
        if (Snapshots.SnapshotService.IsMounted(dir))
        {
            Interop.Umount2(dir, Interop.MntDetach);
        }
    }

    private void TryDeleteDirectory(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("cannot remove {Dir}: {Error}", dir, ex.Message);
        }
    }

    private static long DirectorySize(string dir)
    {
        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", options))
        {
            if (f.LinkTarget is null)
            {
                total += f.Length;
            }
        }

        return total;
    }
}
