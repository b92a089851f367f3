using System.Text.Json;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Archives;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Registry;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images;

public sealed partial class ImageService
{
    private const int MaxConfigBytes = 8 * 1024 * 1024;

    /// <summary>daemon.json "insecure-registries" and transport settings for pull and push.</summary>
    public RegistryOptions RegistryOptions { get; set; } = new();

    /// <summary>daemon.json "content-trust": consulted before every pull, create, start and load (Trust/ContentTrust.cs).</summary>
    public Trust.ContentTrust Trust { get; set; } = Engine.Trust.ContentTrust.Disabled;

    /// <summary>Combines the API's fromImage and tag ("sha256:…" in tag means a digest) into one reference.</summary>
    public static ImageReference PullReference(string image, string? tag)
    {
        var r = ImageReference.Parse(image);
        if (!string.IsNullOrEmpty(tag))
        {
            if (r.Digest is not null)
            {
                throw EngineException.Invalid($"invalid reference \"{image}\": it has a digest and a tag was also given (\"{tag}\")");
            }

            // As dockerd: the tag parameter replaces a tag inside fromImage.

            r = tag.Contains(':', StringComparison.Ordinal)
                ? r.WithDigest(Digest.TryParse(tag, out var d) ? d.Value : throw EngineException.Invalid($"invalid digest \"{tag}\""))
                : ImageReference.Parse(r.Repository + ":" + tag);
        }

        return r.WithDefaultTag();
    }

    /// <summary>
    /// `docker pull`: resolves the manifest (an index picks linux/amd64), downloads the config and missing layers into the
    /// content store (each verified against its digest), unpacks them through the same path as `docker load`, and only then
    /// records the image and its tag. A failure or cancellation records nothing; downloaded blobs are collected.
    /// </summary>
    public async Task<PullResult> PullAsync(ImageReference reference, RegistryCredentials? credentials, IProgress<RegistryProgress>? progress,
        CancellationToken ct)
    {
        var r = reference.WithDefaultTag();
        RefuseDockerHub(r, "pull access denied for " + r.FamiliarRepository + ", repository does not exist or may require 'docker login'");
        string display = r.Familiar;
        string? signed = await Trust.ResolveForPullAsync(r, ct).ConfigureAwait(false); // content trust: fetch the signed digest, not the tag
        using var client = new RegistryClient(r.Domain, RegistryOptions, credentials, push: false);
        await client.PingAsync(ct).ConfigureAwait(false);
        var top = await client.GetManifestAsync(r.Path, signed ?? r.Digest ?? r.Tag!, display, ct).ConfigureAwait(false);
        if ((signed ?? r.Digest) is { } wanted && top.Digest.Value != wanted)
        {
            throw EngineException.Invalid($"manifest for {display}: digest mismatch (asked for {wanted}, content is {top.Digest}); nothing was stored");
        }

        var (manifestBytes, manifestType, manifestDigest) = top;
        var head = ReadHead(manifestBytes, display);
        if (MediaTypes.IsIndex(manifestType) || (string.IsNullOrEmpty(manifestType) && head.Manifests is not null)
            || MediaTypes.IsIndex(head.MediaType))
        {
            var chosen = SelectPlatform(head.Manifests ?? [], display);
            var child = Digest.Parse(chosen.Digest);
            var sub = await client.GetManifestAsync(r.Path, child.Value, display, ct).ConfigureAwait(false);
            if (sub.Digest != child)
            {
                throw EngineException.Invalid($"manifest {child} of {display}: digest mismatch (content is {sub.Digest}); nothing was stored");
            }

            Trust.RememberIndex(top.Digest.Value, top.Bytes); // content trust: a signed index vouches for the manifest chosen
            (manifestBytes, manifestType, manifestDigest) = sub;
            head = ReadHead(manifestBytes, display);
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

        var manifest = ParseManifest(manifestBytes, display);
        var configDigest = Digest.Parse(manifest.Config!.Digest);
        var layers = manifest.Layers!.Select(l => (Descriptor: l, Digest: Digest.Parse(l.Digest))).ToList();
        progress?.Report(new RegistryProgress(RegistryProgressKind.PullingFrom, r.Digest ?? r.Tag, Text: r.Path));

        await writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            try
            {
                var s = state;
                string? tagKey = r.Tag is not null ? r.Full : null;
                string digestKey = r.WithDigest(manifestDigest.Value).Full;
                if (s.Images.TryGetValue(configDigest.Value, out var existing) && existing.ManifestDigest == manifestDigest.Value
                    && existing.ManifestFromSource)
                {
                    bool tagged = tagKey is null ? s.Tags.ContainsKey(digestKey)
                        : s.Tags.TryGetValue(tagKey, out var id) && id == existing.Id;
                    if (!tagged)
                    {
                        db.Write([], [new(tagKey ?? digestKey, existing.Id)], [], []);
                        state = LoadState();
                    }

                    progress?.Report(new RegistryProgress(RegistryProgressKind.Digest, Text: top.Digest.Value));
                    return new PullResult(ToRecord(existing, state), r.Familiar, top.Digest.Value, UpToDate: tagged);
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

                    await DownloadBlobAsync(client, r.Path, desc, d, progress, ct).ConfigureAwait(false);
                }

                byte[] configBytes = await DownloadSmallBlobAsync(client, r.Path, manifest.Config, configDigest, ct).ConfigureAwait(false);
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
                var row = await IngestAsync(pending, extract, ct).ConfigureAwait(false);
                db.Write([row], [new(tagKey ?? digestKey, row.Id)], [], []);
                state = LoadState();
                configs.TryRemove(row.Id, out _);
                progress?.Report(new RegistryProgress(RegistryProgressKind.Digest, Text: top.Digest.Value));
                LogPulled(logger, r.Familiar, row.Id, manifestDigest.Value);
                return new PullResult(ToRecord(row, state), r.Familiar, top.Digest.Value, UpToDate: false);
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

    /// <summary>
    /// `docker push`: uploads each layer the registry lacks in its stored form (the blobs the stored manifest names, so the
    /// manifest digest is unchanged), then the config, then the manifest under the tag. Without a tag, every local tag of
    /// the repository is pushed.
    /// </summary>
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

        var s = state;
        var targets = r.Tag is not null
            ? (s.Tags.ContainsKey(r.Full) ? [r] : new List<ImageReference>())
            : s.Tags.Keys.Where(k => !k.Contains('@', StringComparison.Ordinal)).Select(ImageReference.Parse)
                .Where(t => t.Repository == r.Repository).OrderBy(t => t.Tag, StringComparer.Ordinal).ToList();
        if (targets.Count == 0)
        {
            throw EngineException.NotFound($"An image does not exist locally with the tag: {(r.Tag is null ? r.FamiliarRepository : r.Familiar)}");
        }

        RefuseDockerHub(r, "push to " + r.FamiliarRepository + " refused");
        progress?.Report(new RegistryProgress(RegistryProgressKind.PushRefersTo, Text: r.Repository));
        using var client = new RegistryClient(r.Domain, RegistryOptions, credentials, push: true);
        await client.PingAsync(ct).ConfigureAwait(false);
        var results = new List<PushResult>();

        // Held so that no rmi collects a blob while it is being uploaded.
        await writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var t in targets)
            {
                var row = state.Tags.TryGetValue(t.Full, out var id) && state.Images.TryGetValue(id, out var found) ? found
                    : throw EngineException.NotFound($"An image does not exist locally with the tag: {t.Familiar}");
                var manifestDigest = Digest.Parse(row.ManifestDigest);
                byte[] manifestBytes = content.ReadAllBytes(manifestDigest);
                var manifest = ParseManifest(manifestBytes, t.Familiar);
                var layers = manifest.Layers!.Select(l => (Descriptor: l, Digest: Digest.Parse(l.Digest))).ToList();
                foreach (var (_, d) in layers)
                {
                    progress?.Report(new RegistryProgress(RegistryProgressKind.Preparing, d.Short));
                }

                foreach (var (desc, d) in layers)
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
                    db.Write([row with { ManifestFromSource = true }], [], [], []);
                    state = LoadState();
                }

                LogPushed(logger, t.Familiar, manifestDigest.Value);
                results.Add(new PushResult(t.Tag!, manifestDigest.Value, manifestBytes.Length));
            }
        }
        finally
        {
            writeLock.Release();
        }

        return results;
    }

    /// <summary>Picks linux/amd64 (any variant) from an index, or names the platforms there are.</summary>
    internal static OciDescriptor SelectPlatform(IReadOnlyList<OciDescriptor> manifests, string display)
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

    private static void RefuseDockerHub(ImageReference r, string prefix)
    {
        if (r.Domain == RegistryHosts.DockerHub)
        {
            throw EngineException.NotFound(
                $"{prefix}: registry {RegistryHosts.DockerHub} is not reachable from this daemon (no Internet access); " +
                "use a registry on this host (for example 127.0.0.1:5000/" + r.Path + "), or load or import the image instead");
        }
    }

    private static ManifestHead ReadHead(byte[] bytes, string display)
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

    private static OciManifest ParseManifest(byte[] bytes, string display)
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

    private async Task DownloadBlobAsync(RegistryClient client, string path, OciDescriptor desc, Digest digest,
        IProgress<RegistryProgress>? progress, CancellationToken ct)
    {
        long total = desc.Size;
        var body = await client.OpenBlobAsync(path, digest, ct).ConfigureAwait(false);
        var counted = new ProgressReadStream(body, total > 0 ? total : long.MaxValue, $"layer {digest}",
            n => progress?.Report(new RegistryProgress(RegistryProgressKind.Downloading, digest.Short, n, total)));
        await using (counted.ConfigureAwait(false))
        {
            await using var w = content.OpenWriter();
            try
            {
                await counted.CopyToAsync(w, 1 << 16, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                throw new EngineException(ErrorKind.Unavailable,
                    $"layer {digest}: download interrupted after {counted.BytesRead} of {total} bytes: {ex.Message}; nothing was stored", ex);
            }

            if (total > 0 && counted.BytesRead != total)
            {
                throw EngineException.Invalid($"layer {digest}: size mismatch ({counted.BytesRead} bytes, descriptor says {total}); nothing was stored");
            }

            progress?.Report(new RegistryProgress(RegistryProgressKind.VerifyingChecksum, digest.Short));
            await w.CommitAsync(digest, $"layer {digest}", ct).ConfigureAwait(false);
        }

        progress?.Report(new RegistryProgress(RegistryProgressKind.DownloadComplete, digest.Short));
    }

    private static async Task<byte[]> DownloadSmallBlobAsync(RegistryClient client, string path, OciDescriptor desc, Digest digest,
        CancellationToken ct)
    {
        long limit = desc.Size > 0 ? Math.Min(desc.Size, MaxConfigBytes) : MaxConfigBytes;
        var body = await client.OpenBlobAsync(path, digest, ct).ConfigureAwait(false);
        var counted = new ProgressReadStream(body, limit, $"config {digest}", null);
        await using (counted.ConfigureAwait(false))
        {
            using var ms = new MemoryStream();
            try
            {
                await counted.CopyToAsync(ms, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                throw new EngineException(ErrorKind.Unavailable, $"config {digest}: download interrupted: {ex.Message}", ex);
            }

            byte[] bytes = ms.ToArray();
            var actual = Digest.Compute(bytes);
            if (actual != digest)
            {
                throw EngineException.Invalid($"config {digest}: digest mismatch (content is {actual}); nothing was stored");
            }

            return bytes;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pulled {Reference} as image {Id} (manifest {Manifest})")]
    private static partial void LogPulled(ILogger logger, string reference, string id, string manifest);

    [LoggerMessage(Level = LogLevel.Information, Message = "pushed {Reference} (manifest {Manifest})")]
    private static partial void LogPushed(ILogger logger, string reference, string manifest);

    /// <summary>Turns the ingest's per-layer progress into Extracting / Pull complete.</summary>
    private sealed class ExtractProgress(IProgress<RegistryProgress> inner) : IProgress<LayerProgress>
    {
        private readonly HashSet<string> started = new(StringComparer.Ordinal);

        public void Report(LayerProgress value)
        {
            inner.Report(new RegistryProgress(RegistryProgressKind.Extracting, value.LayerId, value.Current, value.Total));
            if (!started.Add(value.LayerId))
            {
                // The ingest reports each layer twice: before unpacking and once it is unpacked and verified.
                inner.Report(new RegistryProgress(RegistryProgressKind.PullComplete, value.LayerId));
            }
        }
    }
}
