using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Daemon.Api.Containers;
using Bulwark.Daemon.Incident.Evidence;

namespace Bulwark.Daemon.Api.Incident;

/// <summary>
/// <c>GET /bulwark/containers/{id}/evidence</c> (action <c>container.evidence</c>): a signed evidence bundle as a tar;
/// <c>GET /bulwark/evidence/key</c>: the public key (PEM) its manifest.sig verifies with.
/// </summary>
internal static class EvidenceEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        // Built at the first request: the routes are mapped before (and in tests without) the services.
        var key = new Lazy<EvidenceSigningKey>(() => new EvidenceSigningKey(s.Options.DataRoot));
        router.Map("GET", "/bulwark/evidence/key", ctx =>
            ctx.Response.WriteTextAsync(200, "application/x-pem-file", key.Value.PublicKeyPem(), ctx.Aborted));
        router.Map("GET", "/bulwark/containers/{id}/evidence", async ctx =>
        {
            var r = s.Containers.Get(ctx.RouteValues["id"]);
            var view = ContainerViewMapper.ToInspect(r, s.Containers.GetLogPath(r), s.SnapshotDriver, s.Containers.NetworksOf(r), s.Containers.SandboxKey(r));
            byte[] inspect = JsonSerializer.SerializeToUtf8Bytes(view, DockerJsonContext.Default.ContainerInspectResponse);
            var bundle = await new EvidenceCollector(s.Containers, s.Events, key.Value).CollectAsync(r.Id, inspect, ctx.Aborted).ConfigureAwait(false);
            var body = await ctx.Response.StartChunkedAsync(200, "application/x-tar", ctx.Aborted).ConfigureAwait(false);
            try
            {
                await bundle.WriteToAsync(body, ctx.Aborted).ConfigureAwait(false);
                await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
            }
            catch (Exception)
            {
                ctx.Response.CloseAfter = true;
                throw;
            }
        });
    }
}
