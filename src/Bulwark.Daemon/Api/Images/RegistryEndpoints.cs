using System.Text;
using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Images;
using Bulwark.Api.Models.Streams;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Registry;

namespace Bulwark.Daemon.Api.Images;

/// <summary>
/// Pull (<c>POST /images/create?fromImage=</c>) and push (<c>POST /images/{name}/push</c>) as Docker's JSON progress streams.
/// The 200 head is sent with the first progress line, so failures before it (registry down, unknown manifest) are plain
/// HTTP errors as dockerd gives them; failures after it go in-stream as errorDetail.
/// </summary>
internal static class RegistryEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s) =>
        router.Map("POST", "/images/{name*}/push", ctx => PushAsync(ctx, s));

    public static async Task PullAsync(HttpContext ctx, DaemonServices s, string image, string? tag)
    {
        var reference = ImageService.PullReference(image, tag);
        var credentials = Credentials(ctx);
        await using var stream = new ProgressWriter(ctx);
        try
        {
            var result = await s.Images.PullAsync(reference, credentials, stream, ctx.Aborted).ConfigureAwait(false);
            s.Events.Publish(new Bulwark.Engine.Events.EngineEvent("image", "pull", result.Reference,
                new Dictionary<string, string> { ["name"] = result.Reference }, DateTimeOffset.UtcNow));
            string status = result.UpToDate ? "Image is up to date for " : "Downloaded newer image for ";
            await stream.WriteAsync(new JsonMessage { Status = "Status: " + status + result.Reference }).ConfigureAwait(false);
        }
        catch (Exception ex) when (stream.Started && ex is EngineException or IOException or HttpRequestException
            && !ctx.Aborted.IsCancellationRequested)
        {
            // After the 200 head the only way to fail is in-stream; the CLI then exits 1.
            await stream.WriteErrorAsync(ex.Message).ConfigureAwait(false);
        }
    }

    private static async Task PushAsync(HttpContext ctx, DaemonServices s)
    {
        string name = ctx.RouteValues["name"];
        string? tag = ctx.Request.Query.Get("tag");
        var credentials = Credentials(ctx);
        await using var stream = new ProgressWriter(ctx);
        try
        {
            var results = await s.Images.PushAsync(name, tag, credentials, stream, ctx.Aborted).ConfigureAwait(false);
            foreach (var r in results)
            {
                await stream.WriteAsync(new JsonMessage { Status = $"{r.Tag}: digest: {r.Digest} size: {r.Size}" }).ConfigureAwait(false);
                await stream.WriteAsync(new JsonMessage
                {
                    ProgressDetail = new ProgressDetail(),
                    Aux = new PushResultAux { Tag = r.Tag, Digest = r.Digest, Size = r.Size },
                }).ConfigureAwait(false);
                string pushed = ImageReference.Parse(name).WithTag(r.Tag).Familiar;
                s.Events.Publish(new Bulwark.Engine.Events.EngineEvent("image", "push", pushed,
                    new Dictionary<string, string> { ["name"] = pushed }, DateTimeOffset.UtcNow));
            }
        }
        catch (Exception ex) when (stream.Started && ex is EngineException or IOException or HttpRequestException
            && !ctx.Aborted.IsCancellationRequested)
        {
            // After the 200 head the only way to fail is in-stream; the CLI then exits 1.
            await stream.WriteErrorAsync(ex.Message).ConfigureAwait(false);
        }
    }

    /// <summary>Decodes X-Registry-Auth (base64url JSON; absent or "{}" means anonymous).</summary>
    internal static RegistryCredentials? Credentials(HttpContext ctx) => Credentials(ctx.Request.Header("X-Registry-Auth"));

    internal static RegistryCredentials? Credentials(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        RegistryAuthConfig? auth;
        try
        {
            string b64 = header.Trim().Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            auth = JsonSerializer.Deserialize(Convert.FromBase64String(b64), DockerJsonContext.Default.RegistryAuthConfig);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw EngineException.Invalid("invalid X-Registry-Auth header: expected base64url-encoded JSON");
        }

        return Credentials(auth);
    }

    /// <summary>The credentials of an auth config (username and password, base64 "auth", or an identity token); null when none.</summary>
    internal static RegistryCredentials? Credentials(RegistryAuthConfig? auth)
    {
        if (auth is null)
        {
            return null;
        }

        string? user = auth.Username;
        string? password = auth.Password;
        if (string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(auth.Auth))
        {
            try
            {
                string pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth.Auth));
                int colon = pair.IndexOf(':', StringComparison.Ordinal);
                (user, password) = colon > 0 ? (pair[..colon], pair[(colon + 1)..]) : (null, null);
            }
            catch (FormatException)
            {
                throw EngineException.Invalid("invalid X-Registry-Auth header: \"auth\" is not base64");
            }
        }

        var credentials = new RegistryCredentials(user, password, auth.IdentityToken);
        return credentials.IsEmpty ? null : credentials;
    }

    /// <summary>Docker's jsonmessage lines for registry progress; starts the chunked 200 with the first line.</summary>
    private sealed class ProgressWriter(HttpContext ctx) : IProgress<RegistryProgress>, IAsyncDisposable
    {
        private ChunkedResponseStream? body;

        public bool Started => body is not null;

        public void Report(RegistryProgress value) => WriteAsync(ToMessage(value)).GetAwaiter().GetResult();

        public async Task WriteAsync(JsonMessage message)
        {
            body ??= await ctx.Response.StartChunkedAsync(200, "application/json", ctx.Aborted).ConfigureAwait(false);
            await ImageEndpoints.WriteMessageAsync(body, message, ctx.Aborted).ConfigureAwait(false);
        }

        public Task WriteErrorAsync(string message) =>
            WriteAsync(new JsonMessage { ErrorDetail = new ErrorDetail { Message = message }, Error = message });

        public async ValueTask DisposeAsync()
        {
            if (body is not null && !ctx.Aborted.IsCancellationRequested)
            {
                await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
            }
        }

        private static JsonMessage ToMessage(RegistryProgress p)
        {
            var empty = new ProgressDetail();
            return p.Kind switch
            {
                RegistryProgressKind.PullingFrom => new JsonMessage { Status = "Pulling from " + p.Text, Id = p.Id },
                RegistryProgressKind.Digest => new JsonMessage { Status = "Digest: " + p.Text },
                RegistryProgressKind.PushRefersTo => new JsonMessage { Status = $"The push refers to repository [{p.Text}]" },
                RegistryProgressKind.Downloading or RegistryProgressKind.Extracting or RegistryProgressKind.Pushing => new JsonMessage
                {
                    Status = p.Kind.ToString(),
                    ProgressDetail = new ProgressDetail { Current = p.Current, Total = p.Total },
                    Id = p.Id,
                },
                _ => new JsonMessage { Status = Text(p.Kind), ProgressDetail = empty, Id = p.Id },
            };
        }

        private static string Text(RegistryProgressKind kind) => kind switch
        {
            RegistryProgressKind.PullingFsLayer => "Pulling fs layer",
            RegistryProgressKind.AlreadyExists => "Already exists",
            RegistryProgressKind.VerifyingChecksum => "Verifying Checksum",
            RegistryProgressKind.DownloadComplete => "Download complete",
            RegistryProgressKind.PullComplete => "Pull complete",
            RegistryProgressKind.Preparing => "Preparing",
            RegistryProgressKind.Pushed => "Pushed",
            RegistryProgressKind.LayerAlreadyExists => "Layer already exists",
            _ => kind.ToString(),
        };
    }
}
