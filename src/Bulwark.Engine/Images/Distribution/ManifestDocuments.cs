using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Registry;

namespace Bulwark.Engine.Images.Distribution;

/// <summary>Reading what a registry serves: manifest heads and manifests checked field by field, the platform of an index.</summary>
internal static class ManifestDocuments
{
    /// <summary>Picks linux/amd64 (any variant) from an index, or names the platforms there are.</summary>
    public static OciDescriptor SelectPlatform(IReadOnlyList<OciDescriptor> manifests, string display)
    {
        var match = manifests.FirstOrDefault(m => m.Platform is { Os: "linux", Architecture: "amd64" } && MediaTypes.IsManifest(m.MediaType ?? MediaTypes.OciManifest)
            && Digest.TryParse(m.Digest, out _));
        if (match is not null)
        {
            return match;
        }

        var available = manifests.Where(m => m.Platform is not null)
            .Select(m => m.Platform!.Os + "/" + m.Platform.Architecture + (string.IsNullOrEmpty(m.Platform.Variant) ? "" : "/" + m.Platform.Variant))
            .Distinct(StringComparer.Ordinal).ToList();
        throw EngineException.NotFound(
            $"no matching manifest for linux/amd64 in the manifest list entries of {display} (available: {(available.Count == 0 ? "none" : string.Join(", ", available))})");
    }

    public static void RefuseDockerHub(ImageReference r, string prefix)
    {
        if (r.Domain == RegistryHosts.DockerHub)
        {
            throw EngineException.NotFound(
                $"{prefix}: registry {RegistryHosts.DockerHub} is not reachable from this daemon (no Internet access); " +
                "use a registry on this host (for example 127.0.0.1:5000/" + r.Path + "), or load or import the image instead");
        }
    }

    public static ManifestHead ReadHead(byte[] bytes, string display)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, RegistryJsonContext.Default.ManifestHead)
                ?? throw EngineException.Invalid($"manifest for {display} is empty");
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid($"manifest for {display}: invalid JSON: {ex.Message}");
        }
    }

    public static OciManifest ParseManifest(byte[] bytes, string display)
    {
        OciManifest? m;
        try
        {
            m = JsonSerializer.Deserialize(bytes, ImageJsonContext.Default.OciManifest);
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid($"manifest for {display}: invalid JSON: {ex.Message}");
        }

        if (m?.Config is null || !Digest.TryParse(m.Config.Digest, out _) || m.Layers is null)
        {
            throw EngineException.Invalid($"manifest for {display}: config or layers missing or not sha256 digests");
        }

        foreach (var l in m.Layers)
        {
            if (!Digest.TryParse(l.Digest, out _))
            {
                throw EngineException.Invalid($"manifest for {display}: layer digest \"{l.Digest}\" is not a sha256 digest");
            }

            if (l.MediaType is { } mt && !MediaTypes.IsLayer(mt))
            {
                throw EngineException.Invalid($"manifest for {display}: layer {l.Digest} has unsupported media type {mt}");
            }

            if (l.Size < 0)
            {
                throw EngineException.Invalid($"manifest for {display}: layer {l.Digest} has a negative size");
            }
        }

        return m;
    }
}
