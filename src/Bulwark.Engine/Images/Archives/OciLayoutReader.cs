using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Manifests;

namespace Bulwark.Engine.Images.Archives;

/// <summary>
/// Reads an OCI image layout (oci-layout, index.json, blobs/sha256/…). Names come from the
/// io.containerd.image.name annotation, else org.opencontainers.image.ref.name when it is a full reference.
/// Nested indexes are followed to the linux/amd64 manifest. Every blob digest and size is checked.
/// </summary>
internal static class OciLayoutReader
{
    public const string ContainerdNameAnnotation = "io.containerd.image.name";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    private const int MaxIndexDepth = 4;

    public static bool IsLayout(ArchiveSpool spool) => spool.Has("oci-layout") && spool.Has("index.json");

    public static IReadOnlyList<PendingImage> Read(ArchiveSpool spool)
    {
        var layout = Parse(spool.ReadAll("oci-layout", "oci-layout"), ImageJsonContext.Default.OciLayout, "oci-layout");
        if (layout.ImageLayoutVersion != "1.0.0")
        {
            throw EngineException.Invalid($"invalid archive: oci-layout version \"{layout.ImageLayoutVersion}\" is not 1.0.0");
        }

        var index = Parse(spool.ReadAll("index.json", "index.json"), ImageJsonContext.Default.OciIndex, "index.json");
        var byManifest = new Dictionary<Digest, (PendingImage Image, List<ImageReference> Names)>();
        var order = new List<Digest>();
        foreach (var desc in index.Manifests ?? [])
        {
            var names = new List<ImageReference>();
            if (NameOf(desc) is { } name)
            {
                names.Add(name);
            }

            var image = Collect(spool, desc, 0);
            if (image is null)
            {
                continue;
            }

            var md = image.ManifestDigest!.Value;
            if (!byManifest.TryGetValue(md, out var existing))
            {
                existing = (image, []);
                byManifest[md] = existing;
                order.Add(md);
            }

            existing.Names.AddRange(names.Where(n => !existing.Names.Contains(n)));
        }

        if (order.Count == 0)
        {
            throw EngineException.Invalid("invalid archive: index.json lists no linux/amd64 image manifest");
        }

        return order.Select(d => byManifest[d].Image with { Names = byManifest[d].Names }).ToList();
    }

    private static ImageReference? NameOf(OciDescriptor desc)
    {
        if (desc.Annotations is null)
        {
            return null;
        }

        if (desc.Annotations.TryGetValue(ContainerdNameAnnotation, out var full) && ImageReference.TryParse(full, out var r)
            && r.Digest is null)
        {
            return r.WithDefaultTag();
        }

        if (desc.Annotations.TryGetValue(RefNameAnnotation, out var refName)
            && (refName.Contains('/', StringComparison.Ordinal) || refName.Contains(':', StringComparison.Ordinal))
            && ImageReference.TryParse(refName, out var r2) && r2.Digest is null)
        {
            return r2.WithDefaultTag();
        }

        return null;
    }

    private static PendingImage? Collect(ArchiveSpool spool, OciDescriptor desc, int depth)
    {
        var digest = ParseDigest(desc.Digest, "index.json");
        byte[] bytes = ReadBlob(spool, digest, desc.Size, "manifest");
        bool isIndex = MediaTypes.IsIndex(desc.MediaType);
        if (!isIndex && desc.MediaType is null)
        {
            using var doc = JsonDocument.Parse(bytes);
            isIndex = doc.RootElement.TryGetProperty("manifests", out _);
        }

        if (isIndex)
        {
            if (depth >= MaxIndexDepth)
            {
                throw EngineException.Invalid($"index {digest}: nested too deeply");
            }

            var nested = Parse(bytes, ImageJsonContext.Default.OciIndex, $"index {digest}");
            var pick = (nested.Manifests ?? []).FirstOrDefault(m => m.Platform is { Os: "linux", Architecture: "amd64" })
                ?? (nested.Manifests ?? []).FirstOrDefault(m => m.Platform is null);
            return pick is null ? null : Collect(spool, pick, depth + 1);
        }

        var manifest = Parse(bytes, ImageJsonContext.Default.OciManifest, $"manifest {digest}");
        if (manifest.Config is null)
        {
            throw EngineException.Invalid($"manifest {digest}: no config descriptor");
        }

        var configDigest = ParseDigest(manifest.Config.Digest, $"manifest {digest}");
        byte[] config = ReadBlob(spool, configDigest, manifest.Config.Size, "config");
        var layers = new List<PendingLayer>();
        foreach (var l in manifest.Layers ?? [])
        {
            var ld = ParseDigest(l.Digest, $"manifest {digest}");
            string file = spool.Resolve(BlobPath(ld)) ?? throw EngineException.Invalid($"invalid archive: layer {ld} missing");
            layers.Add(new PendingLayer(ld.Value, file, ld, l.MediaType, l.Size));
        }

        return new PendingImage(config, configDigest, layers, bytes, digest,
            manifest.MediaType ?? desc.MediaType ?? MediaTypes.OciManifest, []);
    }

    private static string BlobPath(Digest d) => "blobs/sha256/" + d.Hex;

    private static Digest ParseDigest(string value, string where) =>
        Digest.TryParse(value, out var d) ? d : throw EngineException.Invalid($"invalid archive: {where}: bad digest \"{value}\"");

    private static byte[] ReadBlob(ArchiveSpool spool, Digest digest, long size, string what)
    {
        byte[] bytes = spool.ReadAll(BlobPath(digest), $"{what} {digest}");
        var actual = Digest.Compute(bytes);
        if (actual != digest)
        {
            throw EngineException.Invalid($"{what} {digest}: digest mismatch (content is {actual})");
        }

        if (size > 0 && bytes.Length != size)
        {
            throw EngineException.Invalid($"{what} {digest}: size mismatch ({bytes.Length} bytes, descriptor says {size})");
        }

        return bytes;
    }

    private static T Parse<T>(byte[] bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, type) ?? throw EngineException.Invalid($"invalid archive: {what} is empty");
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid($"invalid archive: {what}: {ex.Message}");
        }
    }
}
