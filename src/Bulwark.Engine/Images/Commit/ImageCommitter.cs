using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Manifests;

namespace Bulwark.Engine.Images.Commit;

/// <summary>
/// <c>docker commit</c>: the container's changes become one new layer on top of its image's layers, with the
/// container's config (and the requested changes) as the new image's config. Built only from the facades' public
/// operations: the image is saved, the layer and config are added to that archive, and the result is loaded, so a
/// committed image is stored, verified and garbage-collected like any other. It is unsigned content: refused when
/// content trust is on, as load and import are.
/// </summary>
public sealed class ImageCommitter(ContainerService containers, ImageService images)
{
    public async Task<string> CommitAsync(CommitRequest request, CancellationToken ct)
    {
        images.Trust.VerifyUnsignedContentAllowed("commit");
        ImageReference? name = ParseName(request.Repository, request.Tag);
        var record = containers.Get(request.Container);
        var baseImage = images.TryResolve(record.ImageId)
            ?? throw EngineException.Conflict($"container {record.Id}: its image {record.ImageId} is no longer stored");
        var config = ImageChanges.Apply(ContainerConfig(record), request.Changes); // bad changes fail before any work

        string work = Path.Combine(images.TempRoot, "commit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            string layerFile = Path.Combine(work, "layer.tar");
            await WriteLayerAsync(record, request.Pause, layerFile, ct).ConfigureAwait(false);
            string baseArchive = Path.Combine(work, "base.tar");
            var output = new FileStream(baseArchive, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (output.ConfigureAwait(false))
            {
                await images.SaveAsync([baseImage.Id], output, ct).ConfigureAwait(false);
            }

            string archive = Path.Combine(work, "commit.tar");
            await BuildArchiveAsync(baseArchive, layerFile, config, request, archive, ct).ConfigureAwait(false);
            var input = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            IReadOnlyList<LoadedImage> loaded;
            await using (input.ConfigureAwait(false))
            {
                loaded = await images.LoadAsync(input, null, ct).ConfigureAwait(false);
            }

            string id = loaded[0].ImageId;
            if (name is not null)
            {
                images.Tag(id, name.Full);
            }
            return id;
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // Left for the image store's temp clean-up.
            }
        }
    }

    private static ImageReference? ParseName(string? repository, string? tag)
    {
        if (string.IsNullOrEmpty(repository))
        {
            if (!string.IsNullOrEmpty(tag))
            {
                throw EngineException.Invalid("invalid reference format: a tag needs a repository name");
            }
            return null;
        }
        string text = string.IsNullOrEmpty(tag) ? repository : repository + ":" + tag;
        if (!ImageReference.TryParse(text, out var reference, out string? why) || reference.Digest is not null)
        {
            throw EngineException.Invalid($"invalid reference format \"{text}\": {why ?? "a commit cannot be named by digest"}");
        }
        return reference.WithDefaultTag();
    }

    /// <summary>The container's own config (what it runs with), as the new image's defaults.</summary>
    private ContainerConfigDocument ContainerConfig(ContainerRecord r)
    {
        var image = images.Resolve(r.ImageId).Config;
        var s = r.Spec;
        var config = new ContainerConfigDocument
        {
            User = string.IsNullOrEmpty(r.User) ? null : r.User,
            Env = [.. r.Env],
            Entrypoint = s.Entrypoint is not null ? [.. s.Entrypoint] : image.Entrypoint is { } e ? [.. e] : null,
            Cmd = s.Entrypoint is not null || s.Cmd is not null ? s.Cmd is null ? null : [.. s.Cmd] : image.Cmd is { } c ? [.. c] : null,
            WorkingDir = string.IsNullOrEmpty(r.WorkingDir) ? null : r.WorkingDir,
            Labels = r.Labels.Count == 0 ? null : new Dictionary<string, string>(r.Labels),
            StopSignal = s.StopSignal ?? image.StopSignal,
            ExposedPorts = image.ExposedPorts is { Count: > 0 } p ? p.ToDictionary(k => k, _ => new EmptyObject()) : null,
            Volumes = image.Volumes is { Count: > 0 } v ? v.ToDictionary(k => k, _ => new EmptyObject()) : null,
        };
        return config;
    }

    private async Task WriteLayerAsync(ContainerRecord r, bool pause, string layerFile, CancellationToken ct)
    {
        bool paused = false;
        if (pause && r.State == ContainerState.Running)
        {
            await containers.PauseAsync(r.Id, ct).ConfigureAwait(false);
            paused = true;
        }
        try
        {
            var layer = new FileStream(layerFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (layer.ConfigureAwait(false))
            {
                await containers.WriteDiffAsync(r.Id, layer, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (paused)
            {
                await containers.UnpauseAsync(r.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The saved base image's blobs plus the new layer and config, under a manifest.json naming them (no OCI index).</summary>
    private static async Task BuildArchiveAsync(string baseArchive, string layerFile, ContainerConfigDocument config, CommitRequest request,
        string archive, CancellationToken ct)
    {
        var (entry, baseConfig) = await ReadBaseAsync(baseArchive, ct).ConfigureAwait(false);
        string layerHex = await HexDigestAsync(layerFile, ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var doc = baseConfig with
        {
            Created = now,
            Author = string.IsNullOrEmpty(request.Author) ? null : request.Author,
            Comment = string.IsNullOrEmpty(request.Comment) ? null : request.Comment,
            Config = config with { Healthcheck = config.Healthcheck ?? baseConfig.Config?.Healthcheck },
            RootFs = new RootFsDocument { DiffIds = [.. baseConfig.RootFs?.DiffIds ?? [], "sha256:" + layerHex] },
            History =
            [
                .. baseConfig.History ?? [],
                new HistoryDocument { Created = now, Author = NullIfEmpty(request.Author), CreatedBy = "bulwark commit", Comment = NullIfEmpty(request.Comment) },
            ],
        };
        byte[] configBytes = JsonSerializer.SerializeToUtf8Bytes(doc, ImageJsonContext.Default.ImageConfigDocument);
        string configName = "blobs/sha256/" + Convert.ToHexStringLower(SHA256.HashData(configBytes));
        string layerName = "blobs/sha256/" + layerHex;
        var manifest = new List<DockerArchiveEntry>
        {
            new() { Config = configName, RepoTags = [], Layers = [.. entry.Layers ?? [], layerName] },
        };

        var source = new FileStream(baseArchive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        var target = new FileStream(archive, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (source.ConfigureAwait(false))
        await using (target.ConfigureAwait(false))
        {
            var reader = new TarReader(source);
            var writer = new TarWriter(target, TarEntryFormat.Pax, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            await using (writer.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } e)
                {
                    // The base's own manifest and OCI index would name the base image, not the commit.
                    if (e.EntryType == TarEntryType.RegularFile && !e.Name.StartsWith("blobs/", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    if (e.Name == layerName)
                    {
                        continue;
                    }
                    await writer.WriteEntryAsync(e, ct).ConfigureAwait(false);
                }
                await writer.WriteEntryAsync(layerFile, layerName, ct).ConfigureAwait(false);
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, configName) { DataStream = new MemoryStream(configBytes) }, ct)
                    .ConfigureAwait(false);
                byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ListDockerArchiveEntry);
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(manifestBytes) }, ct)
                    .ConfigureAwait(false);
            }
        }

        static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
    }

    /// <summary>The base archive's manifest entry and image config.</summary>
    private static async Task<(DockerArchiveEntry Entry, ImageConfigDocument Config)> ReadBaseAsync(string baseArchive, CancellationToken ct)
    {
        byte[]? manifestBytes = null;
        var small = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var source = new FileStream(baseArchive, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await using (source.ConfigureAwait(false))
        {
            var reader = new TarReader(source);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } e)
                {
                    if (e.EntryType != TarEntryType.RegularFile || e.DataStream is null || e.Length > 1 << 20)
                    {
                        continue;
                    }
                    var buffer = new MemoryStream();
                    await e.DataStream.CopyToAsync(buffer, ct).ConfigureAwait(false);
                    if (e.Name == "manifest.json")
                    {
                        manifestBytes = buffer.ToArray();
                    }
                    else
                    {
                        small[e.Name] = buffer.ToArray();
                    }
                }
            }
        }

        var entries = manifestBytes is null ? null : JsonSerializer.Deserialize(manifestBytes, ImageJsonContext.Default.ListDockerArchiveEntry);
        if (entries is not [var entry] || !small.TryGetValue(entry.Config, out byte[]? configBytes))
        {
            throw new EngineException(ErrorKind.Internal, "commit: the saved base image has no single manifest.json entry with its config");
        }
        var config = JsonSerializer.Deserialize(configBytes, ImageJsonContext.Default.ImageConfigDocument)
            ?? throw new EngineException(ErrorKind.Internal, "commit: the base image's config is empty");
        return (entry, config);
    }

    private static async Task<string> HexDigestAsync(string file, CancellationToken ct)
    {
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
        }
    }
}
