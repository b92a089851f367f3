using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Api.Models.Images;
using Bulwark.Api.Models.Streams;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;

namespace Bulwark.Daemon.Api.Images;

/// <summary>The <c>/images/…</c> routes.</summary>
internal static class ImageEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("GET", "/images/json", ctx => ListAsync(ctx, s));
        router.Map("POST", "/images/prune", ctx => PruneAsync(ctx, s));
        router.Map("POST", "/images/load", ctx => LoadAsync(ctx, s));
        router.Map("GET", "/images/get", ctx => SaveAsync(ctx, s));
        router.Map("POST", "/images/create", ctx => CreateAsync(ctx, s));
        router.Map("GET", "/images/{name*}/json", ctx => InspectAsync(ctx, s));
        router.Map("GET", "/images/{name*}/history", ctx => HistoryAsync(ctx, s));
        router.Map("POST", "/images/{name*}/tag", ctx => TagAsync(ctx, s));
        RegistryEndpoints.Map(router, s);
        router.Map("GET", "/images/{name*}/get", ctx => SaveOneAsync(ctx, s));
        router.Map("DELETE", "/images/{name*}", ctx => RemoveAsync(ctx, s));
    }

    /// <summary>Removes dangling images (or, with dangling=false, every image no container uses).</summary>
    private static Task PruneAsync(HttpContext ctx, DaemonServices s)
    {
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"), ["dangling", "until", "label"]);
        bool danglingOnly = !(filters.TryGetValue("dangling", out var d) && d.Any(v => v is "false" or "0"));
        var deleted = new List<ImageDeleteResponseItem>();
        long reclaimed = 0;
        foreach (var img in s.Images.List())
        {
            if ((danglingOnly && img.RepoTags.Count > 0) || s.Containers.IsImageInUse(img.Id, out _))
            {
                continue;
            }
            if (filters.TryGetValue("label", out var labels)
                && !labels.All(l => ListFilters.LabelMatches(img.Config.Labels, l)))
            {
                continue;
            }
            if (filters.TryGetValue("until", out var until) && until.Count > 0
                && ApiTime.ParseUnix(until[0]) is { } limit && img.Created is { } created && created >= limit)
            {
                continue;
            }
            foreach (var item in s.Images.Remove(img.Id, force: true, _ => null, s.Containers.IsLayerDirInUse))
            {
                deleted.Add(new ImageDeleteResponseItem { Untagged = item.Untagged, Deleted = item.Deleted });
            }
            reclaimed += img.Size;
        }
        return ctx.Response.WriteJsonAsync(200, new PruneResponse { ImagesDeleted = deleted, SpaceReclaimed = reclaimed },
            DockerJsonContext.Default.PruneResponse, ctx.Aborted);
    }

    private static Task ListAsync(HttpContext ctx, DaemonServices s)
    {
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"), ["reference", "dangling", "label", "before", "since", "until"]);
        var list = new List<ImageSummary>();
        DateTimeOffset? before = filters.TryGetValue("before", out var b) && b.Count > 0 ? s.Images.Resolve(b[0]).Created : null;
        DateTimeOffset? since = filters.TryGetValue("since", out var si) && si.Count > 0 ? s.Images.Resolve(si[0]).Created : null;
        DateTimeOffset? until = filters.TryGetValue("until", out var u) && u.Count > 0 ? ApiTime.ParseUnix(u[0]) : null;
        foreach (var img in s.Images.List())
        {
            if (filters.TryGetValue("reference", out var refs) && !refs.Any(p => img.RepoTags.Any(t => GlobMatch(p, t))))
            {
                continue;
            }
            if (filters.TryGetValue("dangling", out var d) && d.Contains("true") != (img.RepoTags.Count == 0))
            {
                continue;
            }
            if (filters.TryGetValue("label", out var labels)
                && !labels.All(l => ListFilters.LabelMatches(img.Config.Labels, l)))
            {
                continue;
            }
            if ((before is { } bt && !(img.Created < bt)) || (since is { } st && !(img.Created > st)) || (until is { } ut && !(img.Created < ut)))
            {
                continue;
            }
            list.Add(ImageViewMapper.ToSummary(img));
        }
        return ctx.Response.WriteJsonAsync(200, list, DockerJsonContext.Default.ListImageSummary, ctx.Aborted);
    }

    private static bool GlobMatch(string pattern, string tag)
    {
        string candidate = pattern.Contains(':', StringComparison.Ordinal) ? tag : tag.Split(':')[0];
        string regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", "[^/]*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(candidate, regex, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
    }

    private static Task InspectAsync(HttpContext ctx, DaemonServices s)
    {
        var img = s.Images.Resolve(ctx.RouteValues["name"]);
        var body = ImageViewMapper.ToInspect(img, s.SnapshotDriver);
        if (ApiVersioning.Compare(ctx.ApiVersion, "1.45") < 0)
        {
            body = body with { ContainerConfig = body.Config };
        }
        return ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.ImageInspectResponse, ctx.Aborted);
    }

    private static Task HistoryAsync(HttpContext ctx, DaemonServices s)
    {
        var img = s.Images.Resolve(ctx.RouteValues["name"]);
        var items = img.History.Reverse().Select((h, i) => new ImageHistoryItem(
            i == 0 ? img.Id : "<missing>",
            h.Created?.ToUnixTimeSeconds() ?? 0,
            h.CreatedBy ?? "",
            i == 0 ? img.RepoTags : null,
            0,
            h.Comment ?? "")).ToList();
        return ctx.Response.WriteJsonAsync(200, items, DockerJsonContext.Default.ListImageHistoryItem, ctx.Aborted);
    }

    private static async Task TagAsync(HttpContext ctx, DaemonServices s)
    {
        string repo = ctx.Request.Query.Get("repo") ?? throw EngineException.Invalid("repository name must be given");
        string? tag = ctx.Request.Query.Get("tag");
        string target = string.IsNullOrEmpty(tag) ? repo : repo + ":" + tag;
        s.Images.Tag(ctx.RouteValues["name"], target);
        Publish(s, "tag", s.Images.Resolve(target).Id, target);
        await ctx.Response.WriteEmptyAsync(201, ctx.Aborted).ConfigureAwait(false);
    }

    private static Task RemoveAsync(HttpContext ctx, DaemonServices s)
    {
        var items = s.Images.Remove(ctx.RouteValues["name"], ctx.Request.Query.Bool("force"),
            imageId => s.Containers.IsImageInUse(imageId, out string? c) ? c : null, s.Containers.IsLayerDirInUse);
        var body = items.Select(i => new ImageDeleteResponseItem { Untagged = i.Untagged, Deleted = i.Deleted }).ToList();
        foreach (var i in items)
        {
            Publish(s, i.Deleted is null ? "untag" : "delete", i.Deleted ?? i.Untagged ?? "", i.Untagged ?? i.Deleted);
        }
        return ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.ListImageDeleteResponseItem, ctx.Aborted);
    }

    /// <summary><c>docker load</c>: a tar in, JSON progress lines out; failures after the 200 go in-stream.</summary>
    private static async Task LoadAsync(HttpContext ctx, DaemonServices s)
    {
        bool quiet = ctx.Request.Query.Bool("quiet");
        IReadOnlyList<LoadedImage> loaded;
        ChunkedResponseStream? body = null;
        try
        {
            if (!quiet)
            {
                body = await ctx.Response.StartChunkedAsync(200, "application/json", ctx.Aborted).ConfigureAwait(false);
            }
            var progress = body is null ? null : new JsonProgress(body, ctx.Aborted);
            loaded = await s.Images.LoadAsync(ctx.Request.Body, progress, ctx.Aborted).ConfigureAwait(false);
        }
        catch (EngineException ex) when (body is not null)
        {
            await WriteMessageAsync(body, new JsonMessage { Error = ex.Message, ErrorDetail = new ErrorDetail { Message = ex.Message } }, ctx.Aborted).ConfigureAwait(false);
            await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
            return;
        }
        body ??= await ctx.Response.StartChunkedAsync(200, "application/json", ctx.Aborted).ConfigureAwait(false);
        foreach (var img in loaded)
        {
            Publish(s, "load", img.ImageId, img.Reference);
            string text = img.Reference is { } r ? $"Loaded image: {r}\n" : $"Loaded image ID: {img.ImageId}\n";
            await WriteMessageAsync(body, new JsonMessage { Stream = text }, ctx.Aborted).ConfigureAwait(false);
        }
        await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
    }

    /// <summary><c>docker import</c> (fromSrc=-) or <c>docker pull</c> (fromImage=, see <see cref="RegistryEndpoints"/>).</summary>
    private static async Task CreateAsync(HttpContext ctx, DaemonServices s)
    {
        var q = ctx.Request.Query;
        string? fromSrc = q.Get("fromSrc");
        if (fromSrc is null)
        {
            string image = q.Get("fromImage") ?? throw EngineException.Invalid("fromImage or fromSrc must be given");
            if (q.Get("platform") is { Length: > 0 } platform && !platform.StartsWith("linux/amd64", StringComparison.Ordinal))
            {
                throw EngineException.Invalid($"pull --platform {platform}: this daemon runs linux/amd64 images only");
            }
            if (string.IsNullOrEmpty(q.Get("tag")) && ImageReference.TryParse(image, out var named) && named.Tag is null && named.Digest is null)
            {
                // dockerd pulls every tag of the repository here (docker pull --all-tags).
                throw EngineException.Invalid($"pull {image}: pulling all tags is not supported; name a tag or a digest");
            }
            await RegistryEndpoints.PullAsync(ctx, s, image, q.Get("tag")).ConfigureAwait(false);
            return;
        }
        if (fromSrc != "-")
        {
            throw EngineException.Invalid("import from a URL is not supported: send the archive in the request body (fromSrc=-)");
        }
        string? repo = q.Get("repo");
        string? tag = q.Get("tag");
        string? reference = string.IsNullOrEmpty(repo) ? null : string.IsNullOrEmpty(tag) ? repo : repo + ":" + tag;
        var record = await s.Images.ImportAsync(ctx.Request.Body, reference, q.GetAll("changes"), q.Get("message"), ctx.Aborted)
            .ConfigureAwait(false);
        Publish(s, "import", record.Id, reference);
        var body = await ctx.Response.StartChunkedAsync(200, "application/json", ctx.Aborted).ConfigureAwait(false);
        await WriteMessageAsync(body, new JsonMessage { Status = record.Id }, ctx.Aborted).ConfigureAwait(false);
        await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
    }

    private static Task SaveAsync(HttpContext ctx, DaemonServices s) => WriteArchiveAsync(ctx, s, ctx.Request.Query.GetAll("names"));

    private static Task SaveOneAsync(HttpContext ctx, DaemonServices s) => WriteArchiveAsync(ctx, s, [ctx.RouteValues["name"]]);

    private static async Task WriteArchiveAsync(HttpContext ctx, DaemonServices s, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            throw EngineException.Invalid("no image names given");
        }
        foreach (string n in names)
        {
            s.Images.Resolve(n); // 404 before the 200 is sent
        }
        var body = await ctx.Response.StartChunkedAsync(200, "application/x-tar", ctx.Aborted).ConfigureAwait(false);
        await s.Images.SaveAsync(names, body, ctx.Aborted).ConfigureAwait(false);
        await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
    }

    private static void Publish(DaemonServices s, string action, string id, string? name) =>
        s.Events.Publish(new Bulwark.Engine.Events.EngineEvent("image", action, id,
            new Dictionary<string, string> { ["name"] = name ?? id }, DateTimeOffset.UtcNow));

    internal static async Task WriteMessageAsync(Stream body, JsonMessage message, CancellationToken ct)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(message, DockerJsonContext.Default.JsonMessage);
        await body.WriteAsync((byte[])[.. json, (byte)'\r', (byte)'\n'], ct).ConfigureAwait(false);
    }

    /// <summary>Turns layer progress into Docker's "Loading layer" JSON lines.</summary>
    private sealed class JsonProgress(Stream body, CancellationToken ct) : IProgress<LayerProgress>
    {
        public void Report(LayerProgress value)
        {
            var msg = new JsonMessage
            {
                Status = "Loading layer",
                Id = value.LayerId.Length > 12 ? value.LayerId[..12] : value.LayerId,
                ProgressDetail = new ProgressDetail { Current = value.Current, Total = value.Total },
            };
            WriteMessageAsync(body, msg, ct).GetAwaiter().GetResult();
        }
    }
}
