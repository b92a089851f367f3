using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Archives;
using Bulwark.Engine.Images.Collection;
using Bulwark.Engine.Images.Distribution;
using Bulwark.Engine.Images.Ingest;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Images.Store;
using Bulwark.Engine.Metadata;
using Bulwark.Engine.Registry;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images;

/// <summary>
/// The image facade over the services that do the work (docs/ARCHITECTURE.md, "Image services"): <see cref="ImageStore"/>
/// (tables, lookups, tags), <see cref="ImageIngest"/> and <see cref="LayerSnapshots"/> (the one way into the store),
/// <see cref="ImageArchiveService"/> (import, load, save), <see cref="ImagePuller"/> and <see cref="ImagePusher"/>
/// (registries), and <see cref="ImageGarbageCollector"/>. Nothing is referenced before its blobs and snapshots exist;
/// unreferenced blobs and snapshots are collected by mark and sweep after removals and failed ingests.
/// </summary>
public sealed class ImageService : IDisposable
{
    private readonly MetadataDb db;
    private readonly ImageStore store;
    private readonly ImageGarbageCollector collector;
    private readonly ImageArchiveService archives;
    private readonly ImagePuller puller;
    private readonly ImagePusher pusher;

    public ImageService(string dataRoot, ILogger<ImageService> logger)
    {
        DataRoot = Path.GetFullPath(dataRoot);
        SnapshotsRoot = Path.Combine(DataRoot, "snapshots");
        TempRoot = Path.Combine(DataRoot, "tmp");
        Directory.CreateDirectory(SnapshotsRoot);
        Directory.CreateDirectory(TempRoot);
        Content = new ContentStore(DataRoot);
        db = new MetadataDb(DataRoot);
        store = new ImageStore(Content, db, logger);
        collector = new ImageGarbageCollector(Content, store, SnapshotsRoot, logger);
        var snapshots = new LayerSnapshots(Content, store, SnapshotsRoot, logger);
        var ingest = new ImageIngest(Content, snapshots);
        archives = new ImageArchiveService(Content, store, ingest, snapshots, collector, TempRoot, () => Trust, logger);
        puller = new ImagePuller(Content, store, ingest, collector, () => RegistryOptions, () => Trust, logger);
        pusher = new ImagePusher(Content, store, () => RegistryOptions, logger);
        collector.CleanStartup(TempRoot);
    }

    public string DataRoot { get; }

    /// <summary>&lt;dataRoot&gt;/snapshots: one directory per layer chain id.</summary>
    public string SnapshotsRoot { get; }

    /// <summary>daemon.json "insecure-registries" and transport settings for pull and push.</summary>
    public RegistryOptions RegistryOptions { get; set; } = new();

    /// <summary>daemon.json "content-trust": consulted before every pull, create, start and load (Trust/ContentTrust.cs).</summary>
    public Trust.ContentTrust Trust { get; set; } = Engine.Trust.ContentTrust.Disabled;

    /// <summary>Checked after content trust at create, start and restart (daemon.json "policy.scan"; Security/Admission).</summary>
    public Security.Admission.IImageAdmission Admission { get; set; } = Security.Admission.AdmitAll.Instance;

    internal string TempRoot { get; }

    internal ContentStore Content { get; }

    /// <summary>chainid(n) = sha256(chainid(n-1) + " " + diffid(n)).</summary>
    public static Digest ChainId(Digest parent, Digest diffId) => LayerSnapshots.ChainId(parent, diffId);

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

    public IReadOnlyList<ImageRecord> List() => store.List();

    public ImageRecord Resolve(string reference) =>
        TryResolve(reference) ?? throw EngineException.NotFound($"No such image: {reference}");

    public ImageRecord? TryResolve(string reference) => store.TryResolve(reference);

    /// <summary>Absolute snapshot directories of the image's layers, bottom first.</summary>
    public IReadOnlyList<string> LayerDirs(ImageRecord image) =>
        image.ChainIds.Select(c => Path.Combine(SnapshotsRoot, Digest.Parse(c).Hex)).ToList();

    public void Tag(string source, string target) => store.Tag(source, target);

    /// <summary>`docker rmi`: untags, deletes the image when its last name goes, then collects garbage.</summary>
    /// <param name="containerUsingImage">Returns the id of a container using the image id, or null.</param>
    /// <param name="layerCopyInUse">Whether a container record uses a layer directory: user-namespace shifted copies
    /// (the fallback without idmapped mounts) no container uses go with the image too. Null keeps them.</param>
    public IReadOnlyList<ImageDeleteItem> Remove(string reference, bool force, Func<string, string?> containerUsingImage,
        Func<string, bool>? layerCopyInUse = null)
    {
        using var lease = store.Lock();
        var items = store.Remove(reference, force, containerUsingImage, out bool deleted);
        if (deleted)
        {
            items.AddRange(collector.Collect(layerCopyInUse).Select(chain => new ImageDeleteItem(null, chain)));
        }

        return items;
    }

    /// <summary>`docker import`: one layer from a rootfs tar (plain, gzip or zstd), a fresh OCI config and manifest.</summary>
    public Task<ImageRecord> ImportAsync(Stream rootfsTar, string? reference, IReadOnlyList<string> changes, string? message,
        CancellationToken ct) => archives.ImportAsync(rootfsTar, reference, changes, message, ct);

    /// <summary>`docker load`: a docker-save archive or an OCI layout (plain or compressed, seekable or not).</summary>
    public Task<IReadOnlyList<LoadedImage>> LoadAsync(Stream archive, IProgress<LayerProgress>? progress, CancellationToken ct) =>
        archives.LoadAsync(archive, progress, ct);

    /// <summary>`docker save`: writes a docker-save archive that is also an OCI image layout.</summary>
    public Task SaveAsync(IReadOnlyList<string> references, Stream output, CancellationToken ct) => archives.SaveAsync(references, output, ct);

    /// <summary>`docker pull` (see <see cref="ImagePuller"/>).</summary>
    public Task<PullResult> PullAsync(ImageReference reference, RegistryCredentials? credentials, IProgress<RegistryProgress>? progress,
        CancellationToken ct) => puller.PullAsync(reference, credentials, progress, ct);

    /// <summary>`docker push` (see <see cref="ImagePusher"/>).</summary>
    public Task<IReadOnlyList<PushResult>> PushAsync(string name, string? tag, RegistryCredentials? credentials,
        IProgress<RegistryProgress>? progress, CancellationToken ct) => pusher.PushAsync(name, tag, credentials, progress, ct);

    /// <summary>Picks linux/amd64 (any variant) from an index, or names the platforms there are.</summary>
    internal static OciDescriptor SelectPlatform(IReadOnlyList<OciDescriptor> manifests, string display) =>
        ManifestDocuments.SelectPlatform(manifests, display);

    public void Dispose()
    {
        store.Dispose();
        db.Dispose();
    }
}
