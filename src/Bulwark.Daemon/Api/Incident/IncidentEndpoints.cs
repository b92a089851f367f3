using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;

namespace Bulwark.Daemon.Api.Incident;

/// <summary>
/// Bulwark's incident-response endpoints (not part of Docker's API). <c>POST /bulwark/containers/{id}/isolate</c>
/// (action <c>container.isolate</c>) cuts a running container off; <c>?freeze=1</c> also pauses it; <c>?undo=1</c>
/// reverses both. The response is the isolation after the request.
/// </summary>
internal static class IncidentEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("POST", "/bulwark/containers/{id}/isolate", async ctx =>
        {
            string id = ctx.RouteValues["id"];
            var response = new IsolateResponse();
            if (IsTrue(ctx.Request.Query.Get("undo")))
            {
                await s.Containers.UndoIsolateAsync(id, ctx.Aborted).ConfigureAwait(false);
            }
            else
            {
                var state = await s.Containers.IsolateAsync(id, IsTrue(ctx.Request.Query.Get("freeze")), ctx.Aborted).ConfigureAwait(false);
                response.Isolated = true;
                response.Frozen = state.Frozen;
                response.Since = Containers.ContainerViewMapper.Time(state.Since);
                response.LinksDown = [.. state.LinksDown];
            }
            response.ID = s.Containers.Get(id).Id;
            await ctx.Response.WriteJsonAsync(200, response, DockerJsonContext.Default.IsolateResponse, ctx.Aborted).ConfigureAwait(false);
        });
    }

    private static bool IsTrue(string? value) => value is "1" or "true" or "True";
}
