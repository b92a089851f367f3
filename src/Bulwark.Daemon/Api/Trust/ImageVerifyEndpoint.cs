using Bulwark.Api.Models;
using Bulwark.Api.Models.Trust;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;

namespace Bulwark.Daemon.Api.Trust;

/// <summary>
/// Bulwark extension <c>POST /images/{name}/verify</c>: checks the local image's digest in the named repository against one
/// public key (simple signing or cosign), looking for signatures where content trust does. 200 with Verified true or false.
/// </summary>
internal static class ImageVerifyEndpoint
{
    public static void Map(DockerApiRouter router, DaemonServices s) =>
        router.Map("POST", "/images/{name*}/verify", ctx => VerifyAsync(ctx, s));

    private static async Task VerifyAsync(HttpContext ctx, DaemonServices s)
    {
        string name = ctx.RouteValues["name"];
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.ImageVerifyRequest).ConfigureAwait(false)
            ?? throw EngineException.Invalid("verify needs a key");
        byte[] key = body.Key.Contains("-----BEGIN", StringComparison.Ordinal) ? System.Text.Encoding.UTF8.GetBytes(body.Key) : Base64(body.Key);
        var reference = ImageReference.Parse(name);
        var image = s.Images.TryResolve(name) ?? throw EngineException.NotFound($"No such image: {name}");
        var v = await s.Images.Trust.VerifyWithKeyAsync(reference, image, key, body.Format, ctx.Aborted).ConfigureAwait(false);
        var response = new ImageVerifyResponse(v.Image, v.Digest, v.Format, v.Refusal is null, v.Refusal?.FailureName, v.Refusal?.Message);
        await ctx.Response.WriteJsonAsync(200, response, DockerJsonContext.Default.ImageVerifyResponse, ctx.Aborted).ConfigureAwait(false);
    }

    private static byte[] Base64(string s)
    {
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            throw EngineException.Invalid("the key must be PEM or armored text, or the base64 of a binary keyring");
        }
    }
}
