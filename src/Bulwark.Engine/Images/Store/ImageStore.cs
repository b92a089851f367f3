using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Engine.Content;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Manifests;
using Bulwark.Engine.Metadata;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images.Store;

/// <summary>
/// The images and tags tables over the metadata database: lookups by name, id, digest or id prefix, image records with
/// their (cached) configs, tagging and untagging. Reads are lock-free over an immutable <see cref="ImageTables"/>;
/// writers take <see cref="LockAsync"/> and publish a new snapshot with <see cref="Commit"/>.
/// </summary>
internal sealed partial class ImageStore : IDisposable
{
    private readonly ContentStore content;
    private readonly MetadataDb db;
    private readonly ILogger logger;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, ImageConfigDocument> configs = new(StringComparer.Ordinal);
    private volatile ImageTables tables;

    public ImageStore(ContentStore content, MetadataDb db, ILogger logger)
    {
        this.content = content;
        this.db = db;
        this.logger = logger;
        tables = Load();
    }

    /// <summary>The current snapshot of the tables.</summary>
    public ImageTables Tables => tables;

    public ImageStoreLease Lock()
    {
        writeLock.Wait();
        return new ImageStoreLease(writeLock);
    }

    public async Task<ImageStoreLease> LockAsync(CancellationToken ct)
    {
        await writeLock.WaitAsync(ct).ConfigureAwait(false);
        return new ImageStoreLease(writeLock);
    }

    /// <summary>Writes rows and tags in one transaction and publishes the new tables (caller holds the lock).</summary>
    public void Commit(IReadOnlyList<ImageRow> upsertImages, IReadOnlyList<KeyValuePair<string, string>> setTags,
        IReadOnlyList<string> removeTags, IReadOnlyList<string> removeImages)
    {
        db.Write(upsertImages, setTags, removeTags, removeImages);
        tables = Load();
        foreach (var id in removeImages.Concat(upsertImages.Select(r => r.Id)))
        {
            configs.TryRemove(id, out _);
        }
    }

    /// <summary>The rows as stored right now (for garbage collection, which must not trust a cached snapshot).</summary>
    public IReadOnlyList<ImageRow> ReadRows() => db.LoadImages();

    public IReadOnlyList<ImageRecord> List()
    {
        var s = tables;
        return s.Images.Values.Select(r => ToRecord(r, s)).OrderByDescending(r => r.Created).ToList();
    }

    public ImageRecord? TryResolve(string reference)
    {
        var s = tables;
        return Find(reference, s) is { } hit ? ToRecord(hit.Row, s) : null;
    }

    public ImageRecord ToRecord(ImageRow row) => ToRecord(row, tables);

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

        using var lease = Lock();
        var hit = Find(source, tables) ?? throw EngineException.NotFound($"No such image: {source}");
        Commit([], [new(r.WithDefaultTag().Full, hit.Row.Id)], [], []);
    }

    /// <summary>
    /// `docker rmi` without the collection (caller holds the lock): untags, and deletes the image row when its last name
    /// goes. <paramref name="deleted"/> says whether the image itself went, so the caller collects garbage.
    /// </summary>
    /// <param name="containerUsingImage">Returns the id of a container using the image id, or null.</param>
    public List<ImageDeleteItem> Remove(string reference, bool force, Func<string, string?> containerUsingImage, out bool deleted)
    {
        deleted = false;
        var s = tables;
        var hit = Find(reference, s) ?? throw EngineException.NotFound($"No such image: {reference}");
        var row = hit.Row;
        string shortId = Digest.Parse(row.Id).Short;
        var tags = s.TagsOf(row.Id);
        var items = new List<ImageDeleteItem>();

        if (hit.Tag is { } tagKey && tags.Count > 1)
        {
            Commit([], [], [tagKey], []);
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
            Commit([], [], tags, []);
            return items;
        }

        Commit([], [], tags, [row.Id]);
        items.Add(new ImageDeleteItem(null, row.Id));
        deleted = true;
        return items;
    }

    public static ImageMatch? Find(string reference, ImageTables s)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            return null;
        }

        if (Digest.TryParse(reference, out var id))
        {
            return s.Images.TryGetValue(id.Value, out var byId) ? new ImageMatch(byId, null, false) : null;
        }

        if (ImageReference.TryParse(reference, out var r))
        {
            if (r.Digest is not null)
            {
                var byDigest = s.Images.Values.FirstOrDefault(i => i.ManifestDigest == r.Digest)
                    ?? (s.Images.TryGetValue(r.Digest, out var cfg) ? cfg : null);
                if (byDigest is not null)
                {
                    return new ImageMatch(byDigest, null, true);
                }
            }
            else
            {
                string key = r.WithDefaultTag().Full;
                if (s.Tags.TryGetValue(key, out var tagged) && s.Images.TryGetValue(tagged, out var row))
                {
                    return new ImageMatch(row, key, false);
                }
            }
        }

        string prefix = reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference[7..] : reference;
        if (HexPrefix().IsMatch(prefix))
        {
            var matches = s.Images.Values.Where(i => i.Id.AsSpan(7).StartsWith(prefix, StringComparison.Ordinal)).Take(2).ToList();
            if (matches.Count == 1)
            {
                return new ImageMatch(matches[0], null, false);
            }
        }

        return null;
    }

    public void Dispose() => writeLock.Dispose();

    private ImageTables Load()
    {
        var images = db.LoadImages().ToDictionary(r => r.Id, StringComparer.Ordinal);
        return new ImageTables(images, db.LoadTags());
    }

    private ImageRecord ToRecord(ImageRow row, ImageTables s)
    {
        var doc = ConfigOf(row.Id);
        var tags = s.TagsOf(row.Id);
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
            LogConfigUnreadable(logger, key, ex.Message);
            return new ImageConfigDocument();
        }
    });

    private static List<string> RepoDigests(ImageRow row, IEnumerable<string> tags) =>
        tags.Select(t => ImageReference.Parse(t))
            .Select(r => r.FamiliarRepository + "@" + row.ManifestDigest)
            .Distinct(StringComparer.Ordinal).ToList();

    private static string Familiar(string fullReference) => ImageReference.Parse(fullReference).Familiar;

    [LoggerMessage(Level = LogLevel.Warning, Message = "image {Id}: config unreadable: {Error}")]
    private static partial void LogConfigUnreadable(ILogger logger, string id, string error);

    [GeneratedRegex("^[0-9a-f]{4,64}$")]
    private static partial Regex HexPrefix();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FullHex();
}
