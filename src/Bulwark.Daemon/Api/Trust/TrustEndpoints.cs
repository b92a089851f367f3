using Bulwark.Api.Models;
using Bulwark.Api.Models.Trust;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Images;
using Bulwark.Tuf;

namespace Bulwark.Daemon.Api.Trust;

/// <summary>Bulwark extension: <c>GET /images/{name}/trust</c>, the daemon's verified view of a repository's trust data.</summary>
internal static class TrustEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("GET", "/images/{name*}/trust", ctx => InspectAsync(ctx, s));
    }

    private static async Task InspectAsync(HttpContext ctx, DaemonServices s)
    {
        var reference = ImageReference.Parse(ctx.RouteValues["name"]);
        var (repo, rule) = await s.Images.Trust.InspectAsync(reference, ctx.Aborted).ConfigureAwait(false);
        var (_, roles) = TufRoles.Root(repo.Root);
        var tags = repo.SignedTags()
            .Where(t => reference.Tag is null || t.Tag == reference.Tag)
            .Select(t => new TrustSignedTag(t.Tag, t.Digest["sha256:".Length..], [t.Role == "targets" ? "Repo Admin" : t.Role]))
            .ToList();
        var keys = new List<TrustAdministrativeKeys>
        {
            new("Root", roles["root"].KeyIds.Select(id => new TrustKeyId(id)).ToList()),
            new("Repository", roles["targets"].KeyIds.Select(id => new TrustKeyId(id)).ToList()),
        };
        var body = new TrustInspectResponse(reference.Repository, tags, keys, rule.Name, s.Images.Trust.Mode.ToString().ToLowerInvariant());
        await ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.TrustInspectResponse, ctx.Aborted).ConfigureAwait(false);
    }
}
