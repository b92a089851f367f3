using System.Formats.Tar;
using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Images.Archives;

/// <summary>
/// Writes images as one tar that is both a `docker save` archive (manifest.json with Config/RepoTags/Layers
/// pointing into blobs/sha256) and an OCI image layout (oci-layout, index.json), as moby 25+ does.
/// </summary>
internal static class ImageExporter
{
    public static async Task WriteAsync(ContentStore content, IReadOnlyList<(ImageRow Row, IReadOnlyList<ImageReference> Tags)> images,
        Stream output, CancellationToken ct)
    {
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var now = DateTimeOffset.UtcNow;
            await WriteDirectoryAsync(writer, "blobs/", now, ct).ConfigureAwait(false);
            await WriteDirectoryAsync(writer, "blobs/sha256/", now, ct).ConfigureAwait(false);
            var written = new HashSet<string>(StringComparer.Ordinal);
            var index = new List<OciDescriptor>();
            var manifestJson = new List<DockerArchiveEntry>();
            foreach (var (row, tags) in images)
            {
                var blobs = new List<string> { row.ManifestDigest, row.Id };
                blobs.AddRange(row.Layers.Select(l => l.Digest));
                foreach (var b in blobs)
                {
                    if (written.Add(b))
                    {
                        await WriteBlobAsync(writer, content, Digest.Parse(b), now, ct).ConfigureAwait(false);
                    }
                }

                var manifest = Digest.Parse(row.ManifestDigest);
                long manifestSize = content.Size(manifest);
                if (tags.Count == 0)
                {
                    index.Add(new OciDescriptor { MediaType = row.ManifestMediaType, Digest = row.ManifestDigest, Size = manifestSize });
                }

                foreach (var t in tags)
                {
                    index.Add(new OciDescriptor
                    {
                        MediaType = row.ManifestMediaType,
                        Digest = row.ManifestDigest,
                        Size = manifestSize,
                        Annotations = new Dictionary<string, string>
                        {
                            [OciLayoutReader.ContainerdNameAnnotation] = t.Full,
                            [OciLayoutReader.RefNameAnnotation] = t.Tag ?? ImageReference.DefaultTag,
                        },
                    });
                }

                manifestJson.Add(new DockerArchiveEntry
                {
                    Config = "blobs/sha256/" + Digest.Parse(row.Id).Hex,
                    RepoTags = tags.Select(t => t.Familiar).ToList(),
                    Layers = row.Layers.Select(l => "blobs/sha256/" + Digest.Parse(l.Digest).Hex).ToList(),
                });
            }

            await WriteFileAsync(writer, "oci-layout",
                JsonSerializer.SerializeToUtf8Bytes(new OciLayout(), ImageJsonContext.Default.OciLayout), now, ct).ConfigureAwait(false);
            await WriteFileAsync(writer, "index.json", JsonSerializer.SerializeToUtf8Bytes(
                new OciIndex { MediaType = MediaTypes.OciIndex, Manifests = index }, ImageJsonContext.Default.OciIndex), now, ct).ConfigureAwait(false);
            await WriteFileAsync(writer, "manifest.json",
                JsonSerializer.SerializeToUtf8Bytes(manifestJson, ImageJsonContext.Default.ListDockerArchiveEntry), now, ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteDirectoryAsync(TarWriter writer, string name, DateTimeOffset now, CancellationToken ct)
    {
        var e = new PaxTarEntry(TarEntryType.Directory, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            ModificationTime = now,
        };
        await writer.WriteEntryAsync(e, ct).ConfigureAwait(false);
    }

    private static async Task WriteBlobAsync(TarWriter writer, ContentStore content, Digest digest, DateTimeOffset now, CancellationToken ct)
    {
        var data = content.OpenRead(digest);
        await using (data.ConfigureAwait(false))
        {
            var e = new PaxTarEntry(TarEntryType.RegularFile, "blobs/sha256/" + digest.Hex)
            {
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = now,
                DataStream = data,
            };
            await writer.WriteEntryAsync(e, ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteFileAsync(TarWriter writer, string name, byte[] bytes, DateTimeOffset now, CancellationToken ct)
    {
        using var ms = new MemoryStream(bytes);
        var e = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            ModificationTime = now,
            DataStream = ms,
        };
        await writer.WriteEntryAsync(e, ct).ConfigureAwait(false);
    }
}
