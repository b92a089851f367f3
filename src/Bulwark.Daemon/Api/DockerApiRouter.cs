using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Errors;
using Bulwark.Daemon.Api.Errors;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Microsoft.Extensions.Logging;

namespace Bulwark.Daemon.Api;

/// <summary>
/// Routes Docker Engine API requests (with or without a <c>/v1.xx</c> prefix) to endpoint handlers and turns
/// failures into Docker's JSON error bodies. Translates, decides nothing.
/// </summary>
internal sealed partial class DockerApiRouter
{
    private readonly List<Route> _routes = [];
    private readonly ILogger _logger;

    public DockerApiRouter(ILogger logger) => _logger = logger;

    public void Map(string method, string template, Func<HttpContext, Task> handler) => _routes.Add(new Route(method, template, handler));

    /// <summary>The mapped routes, in matching order.</summary>
    public IReadOnlyList<Route> Routes => _routes;

    public async Task HandleAsync(HttpContext ctx)
    {
        var (version, rest) = ApiVersioning.SplitVersion(ctx.Request.Path);
        try
        {
            if (version is not null)
            {
                if (ApiVersioning.Compare(version, ApiVersioning.Max) > 0)
                {
                    throw EngineException.Invalid($"client version {version} is too new. Maximum supported API version is {ApiVersioning.Max}");
                }
                if (ApiVersioning.Compare(version, ApiVersioning.Min) < 0)
                {
                    throw EngineException.Invalid(
                        $"client version {version} is too old. Minimum supported API version is {ApiVersioning.Min}, " +
                        "please upgrade your client to a newer version");
                }
            }
            ctx.ApiVersion = version ?? ApiVersioning.Max;
            string method = ctx.Request.Method == "HEAD" ? "GET" : ctx.Request.Method;
            string[] segments = rest.Trim('/').Split('/');
            foreach (var route in _routes)
            {
                if ((route.Method == ctx.Request.Method || route.Method == method) && route.TryMatch(segments, ctx.RouteValues))
                {
                    await route.Handler(ctx).ConfigureAwait(false);
                    return;
                }
            }
            await WriteErrorAsync(ctx, 404, "page not found").ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            await WriteErrorAsync(ctx, DockerErrorMapper.StatusFor(ex.Kind), ex.Message).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(ctx, 400, "invalid JSON in request body: " + ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // Usually the client went away mid-request or mid-stream. An I/O failure of the daemon's own (a file it
            // could not write) while the client still waits for an answer is a 500, not a dropped connection.
            if (!ctx.Response.Started && !ctx.Aborted.IsCancellationRequested)
            {
                LogHandlerFailed(_logger, ctx.Request.Method, ctx.Request.Path, ex);
                try
                {
                    await WriteErrorAsync(ctx, 500, ex.Message).ConfigureAwait(false);
                }
                catch (Exception writeFailed) when (writeFailed is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    // The client is gone after all.
                }
            }
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, ctx.Request.Method, ctx.Request.Path, ex);
            await WriteErrorAsync(ctx, 500, ex.Message).ConfigureAwait(false);
        }
    }

    public static async Task WriteErrorAsync(HttpContext ctx, int status, string message)
    {
        if (ctx.Response.Started)
        {
            return;
        }
        if (status == 304)
        {
            await ctx.Response.WriteEmptyAsync(304, ctx.Aborted).ConfigureAwait(false);
            return;
        }
        await ctx.Response.WriteJsonAsync(status, new ErrorResponse { Message = message }, DockerJsonContext.Default.ErrorResponse, ctx.Aborted)
            .ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogHandlerFailed(ILogger logger, string method, string path, Exception ex);
}
