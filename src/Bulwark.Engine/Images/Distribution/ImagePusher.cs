using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Store;
using Bulwark.Engine.Registry;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images.Distribution;

/// <summary>
/// `docker push`: uploads each layer the registry lacks in its stored form (the blobs the stored manifest names, so the
/// manifest digest is unchanged), then the config, then the manifest under the tag. Without a tag, every local tag of
/// the repository is pushed.
/// </summary>
internal sealed partial class ImagePusher(ContentStore content, ImageStore store, Func<RegistryOptions> registryOptions, ILogger logger)
{
    public async Task<IReadOnlyList<PushResult>> PushAsync(string name, string? tag, RegistryCredentials? credentials,
        IProgress<RegistryProgress>? progress, CancellationToken ct)
    {
        var r = ImageReference.Parse(name);
        if (r.Digest is not null)
        {
            throw EngineException.Invalid($"push {name}: cannot push a digest reference");
        }

        if (!string.IsNullOrEmpty(tag))
        {
            r = ImageReference.Parse(r.Repository + ":" + tag);
        }

        var s = store.Tables;
        var targets = r.Tag is not null
            ? (s.Tags.ContainsKey(r.Full) ? [r] : new List<ImageReference>())
            : s.Tags.Keys.Where(k => !k.Contains('@', StringComparison.Ordinal)).Select(ImageReference.Parse)
                .Where(t => t.Repository == r.Repository).OrderBy(t => t.Tag, StringComparer.Ordinal).ToList();
        if (targets.Count == 0)
        {
            throw EngineException.NotFound($"An image does not exist locally with the tag: {(r.Tag is null ? r.FamiliarRepository : r.Familiar)}");
        }

        ManifestDocuments.RefuseDockerHub(r, "push to " + r.FamiliarRepository + " refused");
        progress?.Report(new RegistryProgress(RegistryProgressKind.PushRefersTo, Text: r.Repository));
        using var client = new RegistryClient(r.Domain, registryOptions(), credentials, push: true);
        await client.PingAsync(ct).ConfigureAwait(false);
        var results = new List<PushResult>();

        // Held so that no rmi collects a blob while it is being uploaded.
        using var lease = await store.LockAsync(ct).ConfigureAwait(false);
        foreach (var t in targets)
        {
            results.Add(await PushTagAsync(client, t, progress, ct).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<PushResult> PushTagAsync(RegistryClient client, ImageReference t, IProgress<RegistryProgress>? progress, CancellationToken ct)
    {
        var tables = store.Tables;
        var row = tables.Tags.TryGetValue(t.Full, out var id) && tables.Images.TryGetValue(id, out var found) ? found
            : throw EngineException.NotFound($"An image does not exist locally with the tag: {t.Familiar}");
        var manifestDigest = Digest.Parse(row.ManifestDigest);
        byte[] manifestBytes = content.ReadAllBytes(manifestDigest);
        var manifest = ManifestDocuments.ParseManifest(manifestBytes, t.Familiar);
        var layers = manifest.Layers!.Select(l => Digest.Parse(l.Digest)).ToList();
        foreach (var d in layers)
        {
            progress?.Report(new RegistryProgress(RegistryProgressKind.Preparing, d.Short));
        }

        foreach (var d in layers)
        {
            if (await client.BlobExistsAsync(t.Path, d, ct).ConfigureAwait(false))
            {
                progress?.Report(new RegistryProgress(RegistryProgressKind.LayerAlreadyExists, d.Short));
                continue;
            }

            long size = content.Size(d);
            await client.UploadBlobAsync(t.Path, d, size, () => new ProgressReadStream(content.OpenRead(d), size, $"layer {d}",
                n => progress?.Report(new RegistryProgress(RegistryProgressKind.Pushing, d.Short, n, size))), ct).ConfigureAwait(false);
            progress?.Report(new RegistryProgress(RegistryProgressKind.Pushed, d.Short));
        }

        var configDigest = Digest.Parse(manifest.Config!.Digest);
        if (!await client.BlobExistsAsync(t.Path, configDigest, ct).ConfigureAwait(false))
        {
            long size = content.Size(configDigest);
            await client.UploadBlobAsync(t.Path, configDigest, size, () => content.OpenRead(configDigest), ct).ConfigureAwait(false);
        }

        await client.PutManifestAsync(t.Path, t.Tag!, manifestBytes, row.ManifestMediaType, manifestDigest, ct).ConfigureAwait(false);
        if (!row.ManifestFromSource)
        {
            // The registry now serves this exact manifest: the image has a repo digest from here on.
            store.Commit([row with { ManifestFromSource = true }], [], [], []);
        }

        LogPushed(logger, t.Familiar, manifestDigest.Value);
        return new PushResult(t.Tag!, manifestDigest.Value, manifestBytes.Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pushed {Reference} (manifest {Manifest})")]
    private static partial void LogPushed(ILogger logger, string reference, string manifest);
}
