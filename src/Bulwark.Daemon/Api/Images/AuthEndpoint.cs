using Bulwark.Api.Models;
using Bulwark.Api.Models.Images;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Registry;

namespace Bulwark.Daemon.Api.Images;

/// <summary><c>POST /auth</c> (<c>docker login</c>): asks the registry whether it accepts the credentials; stores nothing.</summary>
internal static class AuthEndpoint
{
    public static void Map(DockerApiRouter router, DaemonServices s) =>
        router.Map("POST", "/auth", ctx => LoginAsync(ctx, s));

    private static async Task LoginAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.RegistryAuthConfig).ConfigureAwait(false)
            ?? throw EngineException.Invalid("auth config cannot be empty");
        var credentials = RegistryEndpoints.Credentials(body)
            ?? throw EngineException.Invalid("login needs a username and password (or an identity token)");
        string? refusal = await RegistryLogin.CheckAsync(body.ServerAddress ?? "", credentials, s.Images.RegistryOptions, ctx.Aborted)
            .ConfigureAwait(false);
        if (refusal is not null)
        {
            await DockerApiRouter.WriteErrorAsync(ctx, 401, refusal).ConfigureAwait(false);
            return;
        }
        await ctx.Response.WriteJsonAsync(200, new AuthResponse(), DockerJsonContext.Default.AuthResponse, ctx.Aborted).ConfigureAwait(false);
    }
}
