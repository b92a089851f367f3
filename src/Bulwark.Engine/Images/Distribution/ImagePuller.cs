using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Archives;
using Bulwark.Engine.Images.Collection;
using Bulwark.Engine.Images.Ingest;
using Bulwark.Engine.Images.Store;
using Bulwark.Engine.Registry;
using Bulwark.Engine.Trust;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images.Distribution;

/// <summary>
/// `docker pull`: resolves the manifest (an index picks linux/amd64), downloads the config and missing layers into the
/// content store (each verified against its digest), unpacks them through the same ingest as `docker load`, and only then
/// records the image and its tag. A failure or cancellation records nothing; downloaded blobs are collected. Under content
/// trust the signed digest is fetched, never what the tag points to now.
/// </summary>
internal sealed partial class ImagePuller(
    ContentStore content,
    ImageStore store,
    ImageIngest ingest,
    ImageGarbageCollector collector,
    Func<RegistryOptions> registryOptions,
    Func<ContentTrust> trust,
    ILogger logger)
{
    private readonly BlobDownloads downloads = new(content);

    public async Task<PullResult> PullAsync(ImageReference reference, RegistryCredentials? credentials, IProgress<RegistryProgress>? progress,
        CancellationToken ct)
    {
        var r = reference.WithDefaultTag();
        ManifestDocuments.RefuseDockerHub(r, "pull access denied for " + r.FamiliarRepository + ", repository does not exist or may require 'docker login'");
        string display = r.Familiar;
        string? signed = await trust().ResolveForPullAsync(r, ct).ConfigureAwait(false); // content trust: fetch the signed digest, not the tag
        using var client = new RegistryClient(r.Domain, registryOptions(), credentials, push: false);
        await client.PingAsync(ct).ConfigureAwait(false);
        var top = await client.GetManifestAsync(r.Path, signed ?? r.Digest ?? r.Tag!, display, ct).ConfigureAwait(false);
        if ((signed ?? r.Digest) is { } wanted && top.Digest.Value != wanted)
        {
            throw EngineException.Invalid($"manifest for {display}: digest mismatch (asked for {wanted}, content is {top.Digest}); nothing was stored");
        }

        await trust().VerifyPulledManifestAsync(r, top.Digest.Value, client, ct).ConfigureAwait(false); // policy.json: before any layer

        var (manifestBytes, manifestType, manifestDigest) = top;
        var head = ManifestDocuments.ReadHead(manifestBytes, display);
        if (MediaTypes.IsIndex(manifestType) || (string.IsNullOrEmpty(manifestType) && head.Manifests is not null)
            || MediaTypes.IsIndex(head.MediaType))
        {
            var chosen = ManifestDocuments.SelectPlatform(head.Manifests ?? [], display);
            var child = Digest.Parse(chosen.Digest);
            var sub = await client.GetManifestAsync(r.Path, child.Value, display, ct).ConfigureAwait(false);
            if (sub.Digest != child)
            {
                throw EngineException.Invalid($"manifest {child} of {display}: digest mismatch (content is {sub.Digest}); nothing was stored");
            }

            trust().RememberIndex(top.Digest.Value, top.Bytes); // content trust: a signed index vouches for the manifest chosen
            (manifestBytes, manifestType, manifestDigest) = sub;
            head = ManifestDocuments.ReadHead(manifestBytes, display);
        }

        if (head.SchemaVersion == 1 || manifestType.StartsWith("application/vnd.docker.distribution.manifest.v1", StringComparison.Ordinal))
        {
            throw EngineException.Invalid(
                $"{display}: schema 1 manifests (Docker registry v2 schema 1) are not supported; push the image again with a current client");
        }

        if (!MediaTypes.IsManifest(manifestType))
        {
            manifestType = MediaTypes.IsManifest(head.MediaType) ? head.MediaType! : MediaTypes.OciManifest;
        }

        var manifest = ManifestDocuments.ParseManifest(manifestBytes, display);
        var configDigest = Digest.Parse(manifest.Config!.Digest);
        var layers = manifest.Layers!.Select(l => (Descriptor: l, Digest: Digest.Parse(l.Digest))).ToList();
        progress?.Report(new RegistryProgress(RegistryProgressKind.PullingFrom, r.Digest ?? r.Tag, Text: r.Path));

        using var lease = await store.LockAsync(ct).ConfigureAwait(false);
        try
        {
            var s = store.Tables;
            string? tagKey = r.Tag is not null ? r.Full : null;
            string digestKey = r.WithDigest(manifestDigest.Value).Full;
            if (s.Images.TryGetValue(configDigest.Value, out var existing) && existing.ManifestDigest == manifestDigest.Value
                && existing.ManifestFromSource)
            {
                bool tagged = tagKey is null ? s.Tags.ContainsKey(digestKey)
                    : s.Tags.TryGetValue(tagKey, out var id) && id == existing.Id;
                if (!tagged)
                {
                    store.Commit([], [new(tagKey ?? digestKey, existing.Id)], [], []);
                }

                progress?.Report(new RegistryProgress(RegistryProgressKind.Digest, Text: top.Digest.Value));
                return new PullResult(store.ToRecord(existing), r.Familiar, top.Digest.Value, UpToDate: tagged);
            }

            foreach (var (_, d) in layers)
            {
                progress?.Report(new RegistryProgress(RegistryProgressKind.PullingFsLayer, d.Short));
            }

            foreach (var (desc, d) in layers)
            {
                if (content.Exists(d))
                {
                    progress?.Report(new RegistryProgress(RegistryProgressKind.AlreadyExists, d.Short));
                    continue;
                }

                await downloads.DownloadBlobAsync(client, r.Path, desc, d, progress, ct).ConfigureAwait(false);
            }

            byte[] configBytes = await BlobDownloads.DownloadSmallBlobAsync(client, r.Path, manifest.Config, configDigest, ct).ConfigureAwait(false);
            var pending = new PendingImage(
                configBytes,
                configDigest,
                layers.Select(l => new PendingLayer(l.Digest.Value, content.BlobPath(l.Digest), l.Digest, l.Descriptor.MediaType,
                    l.Descriptor.Size)).ToList(),
                manifestBytes,
                manifestDigest,
                manifestType,
                []);
            var extract = progress is null ? null : new ExtractProgress(progress);
            var row = await ingest.IngestAsync(pending, extract, ct).ConfigureAwait(false);
            store.Commit([row], [new(tagKey ?? digestKey, row.Id)], [], []);
            progress?.Report(new RegistryProgress(RegistryProgressKind.Digest, Text: top.Digest.Value));
            LogPulled(logger, r.Familiar, row.Id, manifestDigest.Value);
            return new PullResult(store.ToRecord(row), r.Familiar, top.Digest.Value, UpToDate: false);
        }
        catch
        {
            collector.CollectQuietly();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pulled {Reference} as image {Id} (manifest {Manifest})")]
    private static partial void LogPulled(ILogger logger, string reference, string id, string manifest);
}
