using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Manifests;

namespace Bulwark.Engine.Images.Archives;

/// <summary>Reads a `docker save` archive (manifest.json with Config/RepoTags/Layers; legacy or blobs/ paths).</summary>
internal static partial class DockerArchiveReader
{
    public static IReadOnlyList<PendingImage> Read(ArchiveSpool spool)
    {
        byte[] json = spool.ReadAll("manifest.json", "manifest.json");
        List<DockerArchiveEntry> entries;
        try
        {
            entries = JsonSerializer.Deserialize(json, ImageJsonContext.Default.ListDockerArchiveEntry)
                ?? throw EngineException.Invalid("invalid archive: manifest.json is empty");
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid($"invalid archive: manifest.json: {ex.Message}");
        }

        if (entries.Count == 0)
        {
            throw EngineException.Invalid("invalid archive: manifest.json lists no images");
        }

        var images = new List<PendingImage>();
        foreach (var e in entries)
        {
            if (string.IsNullOrEmpty(e.Config))
            {
                throw EngineException.Invalid("invalid archive: manifest.json entry without Config");
            }

            byte[] config = spool.ReadAll(e.Config, $"config {e.Config}");
            var digest = Digest.Compute(config);
            if (DigestFromName(e.Config) is { } named && named != digest)
            {
                throw EngineException.Invalid($"config {named}: digest mismatch (content is {digest})");
            }

            var layers = new List<PendingLayer>();
            foreach (var l in e.Layers ?? [])
            {
                string file = spool.Resolve(l) ?? throw EngineException.Invalid($"invalid archive: layer {l} missing");
                layers.Add(new PendingLayer(l, file, DigestFromName(l), null, null));
            }

            var names = new List<ImageReference>();
            foreach (var tag in e.RepoTags ?? [])
            {
                if (!ImageReference.TryParse(tag, out var r, out string? why) || r.Digest is not null)
                {
                    throw EngineException.Invalid($"invalid archive: RepoTag \"{tag}\": {why ?? "digest not allowed"}");
                }

                names.Add(r.WithDefaultTag());
            }

            images.Add(new PendingImage(config, digest, layers, null, null, null, names));
        }

        return images;
    }

    /// <summary>"blobs/sha256/&lt;hex&gt;" or legacy "&lt;hex&gt;.json" name a digest the content must match.</summary>
    internal static Digest? DigestFromName(string name)
    {
        var m = BlobName().Match(name);
        if (m.Success)
        {
            return Digest.FromHex(m.Groups[1].Value);
        }

        m = LegacyConfigName().Match(name);
        return m.Success ? Digest.FromHex(m.Groups[1].Value) : null;
    }

    [GeneratedRegex("^(?:\\./)?blobs/sha256/([0-9a-f]{64})$")]
    private static partial Regex BlobName();

    [GeneratedRegex("^(?:\\./)?([0-9a-f]{64})\\.json$")]
    private static partial Regex LegacyConfigName();
}
