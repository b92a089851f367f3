using Bulwark.Api.Models;
using Bulwark.Api.Models.Images;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Commit;

namespace Bulwark.Daemon.Api.Images;

/// <summary><c>POST /commit</c> (<c>docker commit</c>): translates the query into a commit request, decides nothing.</summary>
internal static class CommitEndpoint
{
    public static void Map(DockerApiRouter router, DaemonServices s) =>
        router.Map("POST", "/commit", ctx => CommitAsync(ctx, s));

    private static async Task CommitAsync(HttpContext ctx, DaemonServices s)
    {
        var q = ctx.Request.Query;
        // The body may carry a container config to merge; clients send null. Read it so the connection stays usable.
        await ctx.Request.Body.CopyToAsync(Stream.Null, ctx.Aborted).ConfigureAwait(false);
        var request = new CommitRequest
        {
            Container = q.Get("container") is { Length: > 0 } c ? c : throw EngineException.Invalid("container is required: /commit?container=NAME"),
            Repository = q.Get("repo"),
            Tag = q.Get("tag"),
            Comment = q.Get("comment"),
            Author = q.Get("author"),
            Pause = q.Get("pause") is not ("0" or "false" or "False"),
            Changes = q.GetAll("changes"),
        };
        string id = await new ImageCommitter(s.Containers, s.Images).CommitAsync(request, ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(201, new CommitResponse(id), DockerJsonContext.Default.CommitResponse, ctx.Aborted).ConfigureAwait(false);
    }
}
