using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Metadata;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images;

/// <summary>
/// The image store: content blobs, unpacked layer snapshots (&lt;dataRoot&gt;/snapshots/&lt;chainid-hex&gt;) and the
/// images/tags tables. Reads are lock-free over an immutable snapshot of the tables; writes are serialised.
/// Nothing is referenced before its blobs and snapshots exist; unreferenced blobs and snapshots are
/// collected by mark and sweep after removals and failed imports.
/// </summary>
public sealed partial class ImageService : IDisposable
{
    private readonly ILogger<ImageService> logger;
    private readonly ContentStore content;
    private readonly MetadataDb db;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, ImageConfigDocument> configs = new(StringComparer.Ordinal);
    private volatile StoreState state;

    public ImageService(string dataRoot, ILogger<ImageService> logger)
    {
        this.logger = logger;
        DataRoot = Path.GetFullPath(dataRoot);
        SnapshotsRoot = Path.Combine(DataRoot, "snapshots");
        TempRoot = Path.Combine(DataRoot, "tmp");
        Directory.CreateDirectory(SnapshotsRoot);
        Directory.CreateDirectory(TempRoot);
        content = new ContentStore(DataRoot);
        db = new MetadataDb(DataRoot);
        state = LoadState();
        CleanStartup();
    }

    public string DataRoot { get; }

    /// <summary>&lt;dataRoot&gt;/snapshots: one directory per layer chain id.</summary>
    public string SnapshotsRoot { get; }

    internal string TempRoot { get; }

    internal ContentStore Content => content;

    public IReadOnlyList<ImageRecord> List()
    {
        var s = state;
        return s.Images.Values.Select(r => ToRecord(r, s)).OrderByDescending(r => r.Created).ToList();
    }

    public ImageRecord Resolve(string reference) =>
        TryResolve(reference) ?? throw EngineException.NotFound($"No such image: {reference}");

    public ImageRecord? TryResolve(string reference)
    {
        var s = state;
        return Find(reference, s) is { } hit ? ToRecord(hit.Row, s) : null;
    }

    /// <summary>Absolute snapshot directories of the image's layers, bottom first.</summary>
    public IReadOnlyList<string> LayerDirs(ImageRecord image) =>
        image.ChainIds.Select(c => Path.Combine(SnapshotsRoot, Digest.Parse(c).Hex)).ToList();

    public void Tag(string source, string target)
    {
        if (!ImageReference.TryParse(target, out var r, out string? why))
        {
            throw EngineException.Invalid($"invalid reference format \"{target}\": {why}");
        }

        if (r.Digest is not null)
        {
            throw EngineException.Invalid($"invalid tag \"{target}\": a tag cannot contain a digest");
        }

        if (FullHex().IsMatch(r.Path.Split('/')[^1]) && r.Path.StartsWith("library/", StringComparison.Ordinal))
        {
            throw EngineException.Invalid($"invalid tag \"{target}\": repository name cannot be a 64-character hexadecimal string");
        }

        writeLock.Wait();
        try
        {
            var hit = Find(source, state) ?? throw EngineException.NotFound($"No such image: {source}");
            db.Write([], [new(r.WithDefaultTag().Full, hit.Row.Id)], [], []);
            state = LoadState();
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>`docker rmi`: untags, deletes the image when its last name goes, then collects garbage.</summary>
    /// <param name="containerUsingImage">Returns the id of a container using the image id, or null.</param>
    public IReadOnlyList<ImageDeleteItem> Remove(string reference, bool force, Func<string, string?> containerUsingImage)
    {
        writeLock.Wait();
        try
        {
            var s = state;
            var hit = Find(reference, s) ?? throw EngineException.NotFound($"No such image: {reference}");
            var row = hit.Row;
            string shortId = Digest.Parse(row.Id).Short;
            var tags = s.Tags.Where(t => t.Value == row.Id).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
            var items = new List<ImageDeleteItem>();

            if (hit.Tag is { } tagKey && tags.Count > 1)
            {
                db.Write([], [], [tagKey], []);
                state = LoadState();
                return [new ImageDeleteItem(Familiar(tagKey), null)];
            }

            string? user = containerUsingImage(row.Id);
            if (hit.Tag is null && tags.Count > 1 && !force)
            {
                throw EngineException.Conflict(
                    $"conflict: unable to delete {shortId} (must be forced) - image is referenced in multiple repositories");
            }

            if (user is not null && !force)
            {
                string shortUser = user.Length > 12 ? user[..12] : user;
                throw EngineException.Conflict(hit.Tag is not null || hit.ByDigest
                    ? $"conflict: unable to remove repository reference \"{reference}\" (must force) - container {shortUser} is using its referenced image {shortId}"
                    : $"conflict: unable to delete {shortId} (must be forced) - image is being used by stopped container {shortUser}");
            }

            items.AddRange(tags.Select(t => new ImageDeleteItem(Familiar(t), null)));
            if (row.ManifestFromSource)
            {
                items.AddRange(RepoDigests(row, tags).Where(d => items.All(i => i.Untagged != d)).Select(d => new ImageDeleteItem(d, null)));
            }

            if (user is not null)
            {
                // Forced while a container uses it: the names go, the image (and its snapshots) stay until the container does.
                db.Write([], [], tags, []);
                state = LoadState();
                return items;
            }

            db.Write([], [], tags, [row.Id]);
            state = LoadState();
            configs.TryRemove(row.Id, out _);
            items.Add(new ImageDeleteItem(null, row.Id));
            foreach (var chain in CollectGarbage())
            {
                items.Add(new ImageDeleteItem(null, chain));
            }

            return items;
        }
        finally
        {
            writeLock.Release();
        }
    }

    public void Dispose()
    {
        db.Dispose();
        writeLock.Dispose();
    }

    private StoreState LoadState()
    {
        var images = db.LoadImages().ToDictionary(r => r.Id, StringComparer.Ordinal);
        var tags = db.LoadTags();
        return new StoreState(images, tags);
    }

    private (ImageRow Row, string? Tag, bool ByDigest)? Find(string reference, StoreState s)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            return null;
        }

        if (Digest.TryParse(reference, out var id))
        {
            return s.Images.TryGetValue(id.Value, out var byId) ? (byId, null, false) : null;
        }

        if (ImageReference.TryParse(reference, out var r))
        {
            if (r.Digest is not null)
            {
                var byDigest = s.Images.Values.FirstOrDefault(i => i.ManifestDigest == r.Digest)
                    ?? (s.Images.TryGetValue(r.Digest, out var cfg) ? cfg : null);
                if (byDigest is not null)
                {
                    return (byDigest, null, true);
                }
            }
            else
            {
                string key = r.WithDefaultTag().Full;
                if (s.Tags.TryGetValue(key, out var tagged) && s.Images.TryGetValue(tagged, out var row))
                {
                    return (row, key, false);
                }
            }
        }

        string prefix = reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference[7..] : reference;
        if (HexPrefix().IsMatch(prefix))
        {
            var matches = s.Images.Values.Where(i => i.Id.AsSpan(7).StartsWith(prefix, StringComparison.Ordinal)).Take(2).ToList();
            if (matches.Count == 1)
            {
                return (matches[0], null, false);
            }
        }

        return null;
    }

    private ImageRecord ToRecord(ImageRow row, StoreState s)
    {
        var doc = ConfigOf(row.Id);
        var tags = s.Tags.Where(t => t.Value == row.Id).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
        var c = doc.Config ?? new ContainerConfigDocument();
        // Keys with "@" are digest references (an image pulled by digest): repo digests, not tags.
        var repoTags = tags.Where(t => !t.Contains('@', StringComparison.Ordinal)).ToList();
        return new ImageRecord
        {
            Id = row.Id,
            RepoTags = repoTags.Select(Familiar).ToList(),
            RepoDigests = row.ManifestFromSource ? RepoDigests(row, tags) : [],
            Created = doc.Created ?? row.Created,
            Size = row.Layers.Sum(l => l.UnpackedSize),
            Architecture = doc.Architecture ?? "amd64",
            Os = doc.Os ?? "linux",
            Author = doc.Author,
            Comment = doc.Comment,
            DiffIds = row.Layers.Select(l => l.DiffId).ToList(),
            ChainIds = row.Layers.Select(l => l.ChainId).ToList(),
            History = (doc.History ?? []).Select(h => new ImageHistoryEntry(h.Created, h.CreatedBy, h.Comment, h.EmptyLayer ?? false)).ToList(),
            Config = new ImageConfig
            {
                User = c.User,
                Env = c.Env ?? [],
                Entrypoint = c.Entrypoint,
                Cmd = c.Cmd,
                WorkingDir = c.WorkingDir,
                Labels = c.Labels ?? new Dictionary<string, string>(),
                StopSignal = c.StopSignal,
                Healthcheck = c.Healthcheck is { Test.Count: > 0 } h
                    ? new ImageHealthcheck(h.Test, h.Interval, h.Timeout, h.StartPeriod, h.Retries)
                    : null,
                ExposedPorts = c.ExposedPorts?.Keys.ToList() ?? [],
                Volumes = c.Volumes?.Keys.ToList() ?? [],
            },
        };
    }

    private ImageConfigDocument ConfigOf(string id) => configs.GetOrAdd(id, key =>
    {
        try
        {
            return JsonSerializer.Deserialize(content.ReadAllBytes(Digest.Parse(key)), ImageJsonContext.Default.ImageConfigDocument)
                ?? new ImageConfigDocument();
        }
        catch (Exception ex) when (ex is JsonException or EngineException or IOException)
        {
            logger.LogWarning("image {Id}: config unreadable: {Error}", key, ex.Message);
            return new ImageConfigDocument();
        }
    });

    private static List<string> RepoDigests(ImageRow row, IEnumerable<string> tags) =>
        tags.Select(t => ImageReference.Parse(t))
            .Select(r => r.FamiliarRepository + "@" + row.ManifestDigest)
            .Distinct(StringComparer.Ordinal).ToList();

    private static string Familiar(string fullReference) => ImageReference.Parse(fullReference).Familiar;

    [GeneratedRegex("^[0-9a-f]{4,64}$")]
    private static partial Regex HexPrefix();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FullHex();

    private sealed record StoreState(IReadOnlyDictionary<string, ImageRow> Images, IReadOnlyDictionary<string, string> Tags);
}
