using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Containers.Archive;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Containers;

/// <summary>docker cp (<c>/containers/{id}/archive</c> HEAD/GET/PUT), <c>export</c> and <c>changes</c> (docker diff).</summary>
internal static class ArchiveEndpoints
{
    public const string PathStatHeader = "X-Docker-Container-Path-Stat";

    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("GET", "/containers/{id}/archive", ctx => GetArchiveAsync(ctx, s));
        router.Map("PUT", "/containers/{id}/archive", ctx => PutArchiveAsync(ctx, s));
        router.Map("GET", "/containers/{id}/export", ctx => ExportAsync(ctx, s));
        router.Map("GET", "/containers/{id}/changes", ctx => ChangesAsync(ctx, s));
    }

    /// <summary>The header value: base64 of the stat JSON.</summary>
    public static string EncodeStat(Engine.Containers.Archive.ContainerPathStat stat)
    {
        var wire = new Bulwark.Api.Models.Containers.ContainerPathStat
        {
            Name = stat.Name,
            Size = stat.Size,
            Mode = stat.Mode,
            Mtime = stat.Mtime.UtcDateTime,
            LinkTarget = stat.LinkTarget,
        };
        return Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(wire, DockerJsonContext.Default.ContainerPathStat));
    }

    private static string Id(HttpContext ctx) => ctx.RouteValues["id"];

    private static string PathParameter(HttpContext ctx) =>
        ctx.Request.Query.Get("path") is { Length: > 0 } p ? p : throw EngineException.Invalid("path is required");

    /// <summary>HEAD (the router maps it here): stat only. GET: stat header, then the tar.</summary>
    private static async Task GetArchiveAsync(HttpContext ctx, DaemonServices s)
    {
        string path = PathParameter(ctx);
        if (ctx.Request.Method == "HEAD")
        {
            var stat = await s.Containers.StatPathAsync(Id(ctx), path, ctx.Aborted).ConfigureAwait(false);
            ctx.Response.SetHeader(PathStatHeader, EncodeStat(stat));
            await ctx.Response.WriteEmptyAsync(200, ctx.Aborted).ConfigureAwait(false);
            return;
        }

        await StreamTarAsync(ctx, open => s.Containers.ArchivePathAsync(Id(ctx), path, (stat, ct) =>
        {
            ctx.Response.SetHeader(PathStatHeader, EncodeStat(stat));
            return open(ct);
        }, ctx.Aborted)).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a tar producer that asks for its output stream only once it knows the content exists (so errors before
    /// that are ordinary HTTP errors), then finishes the chunked body. After the head is out, a failure can only cut
    /// the stream.
    /// </summary>
    private static async Task StreamTarAsync(HttpContext ctx, Func<Func<CancellationToken, Task<Stream>>, Task> produce)
    {
        ChunkedResponseStream? body = null;
        BufferedStream? buffered = null;
        try
        {
            await produce(async ct =>
            {
                body = await ctx.Response.StartChunkedAsync(200, "application/x-tar", ct).ConfigureAwait(false);
                buffered = new BufferedStream(body, 1 << 16);
                return buffered;
            }).ConfigureAwait(false);
            if (buffered is not null && body is not null)
            {
                await buffered.FlushAsync(ctx.Aborted).ConfigureAwait(false);
                await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
            }
        }
        catch (Exception) when (body is not null)
        {
            ctx.Response.CloseAfter = true;
            throw;
        }
    }

    private static async Task PutArchiveAsync(HttpContext ctx, DaemonServices s)
    {
        string path = PathParameter(ctx);
        var options = new ExtractOptions(
            NoOverwriteDirNonDir: ctx.Request.Query.Bool("noOverwriteDirNonDir"),
            CopyUidGid: ctx.Request.Query.Bool("copyUIDGID"));
        await s.Containers.ExtractToDirAsync(Id(ctx), path, ctx.Request.Body, options, ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteEmptyAsync(200, ctx.Aborted).ConfigureAwait(false);
    }

    private static Task ExportAsync(HttpContext ctx, DaemonServices s) =>
        StreamTarAsync(ctx, open => s.Containers.ExportAsync(Id(ctx), open, ctx.Aborted));

    private static async Task ChangesAsync(HttpContext ctx, DaemonServices s)
    {
        var changes = s.Containers.Changes(Id(ctx), ctx.Aborted)
            .Select(c => new ContainerChangeItem(c.Path, (int)c.Kind))
            .ToList();
        await ctx.Response.WriteJsonAsync(200, changes, DockerJsonContext.Default.ListContainerChangeItem, ctx.Aborted).ConfigureAwait(false);
    }
}
