using Bulwark.Api.Models;
using Bulwark.Api.Models.Exec;
using Bulwark.Daemon.Api.Streams;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Exec;

/// <summary><c>/containers/{id}/exec</c> and <c>/exec/{id}/…</c>.</summary>
internal static class ExecEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("POST", "/containers/{id}/exec", ctx => CreateAsync(ctx, s));
        router.Map("POST", "/exec/{id}/start", ctx => StartAsync(ctx, s));
        router.Map("POST", "/exec/{id}/resize", ctx => ResizeAsync(ctx, s));
        router.Map("GET", "/exec/{id}/json", ctx => InspectAsync(ctx, s));
    }

    private static async Task CreateAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.ExecCreateRequest).ConfigureAwait(false)
            ?? throw EngineException.Invalid("No exec command specified");
        if (body.Tty)
        {
            DetachKeys.Parse(body.DetachKeys); // a bad sequence is a 400 now, not a surprise at start
        }
        var exec = s.Containers.CreateExec(ctx.RouteValues["id"], new ExecSpec
        {
            DetachKeys = string.IsNullOrEmpty(body.DetachKeys) ? null : body.DetachKeys,
            Cmd = body.Cmd ?? [],
            Env = body.Env ?? [],
            User = body.User,
            WorkingDir = body.WorkingDir,
            Tty = body.Tty,
            ConsoleSize = body.ConsoleSize is [int rows, int cols] && rows > 0 && cols > 0 ? new TerminalSize(rows, cols) : null,
            AttachStdin = body.AttachStdin,
            AttachStdout = body.AttachStdout,
            AttachStderr = body.AttachStderr,
            Privileged = body.Privileged,
        });
        await ctx.Response.WriteJsonAsync(201, new IdResponse(exec.Id), DockerJsonContext.Default.IdResponse, ctx.Aborted).ConfigureAwait(false);
    }

    /// <summary>An upgrade request with a JSON body: read the body, then hijack, then start.</summary>
    private static async Task StartAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.ExecStartRequest).ConfigureAwait(false) ?? new ExecStartRequest();
        var exec = s.Containers.GetExec(ctx.RouteValues["id"]);
        if (body.ConsoleSize is [int rows, int cols] && rows > 0 && cols > 0)
        {
            exec.Spec.ConsoleSize = new TerminalSize(rows, cols);
        }
        if (body.Detach)
        {
            await s.Containers.StartExecAsync(exec.Id, ctx.Aborted).ConfigureAwait(false);
            await ctx.Response.WriteBytesAsync(200, "application/json", ReadOnlyMemory<byte>.Empty, ctx.Aborted).ConfigureAwait(false);
            return;
        }
        // Like dockerd, the start request's Tty decides the framing, not the exec's: raw bytes when it is set, stdcopy frames
        // otherwise (docker-py creates an exec with a TTY and starts it with Tty false when it reads frames off the socket).
        bool tty = body.Tty;
        using var session = exec.Streams.Attach(exec.Spec.AttachStdin, exec.Spec.AttachStdout, exec.Spec.AttachStderr);
        string contentType = ApiVersioning.StreamContentType(tty, ctx.ApiVersion);
        // Like moby: the upgrade head goes out before the process starts, so no output can share the client's read of
        // the head (docker-py loses bytes buffered with it).
        var conn = await ctx.Response.HijackAsync(ctx.Request.WantsUpgrade, contentType, ctx.Aborted).ConfigureAwait(false);
        try
        {
            // Its supervisor records the exit code before the session's output completes, so exec inspect is right
            // as soon as the client sees EOF: nothing here needs to wait for it.
            await s.Containers.StartExecAsync(exec.Id, ctx.Aborted).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            // Too late for an HTTP error: the message goes in-stream and the exit code says what happened.
            s.Containers.FailExec(exec.Id, ex.Message);
            byte[] text = global::System.Text.Encoding.UTF8.GetBytes(ex.Message + "\n");
            await conn.WriteAsync(tty ? text : StdStreamFramer.Frame(2, text), ctx.Aborted).ConfigureAwait(false);
            conn.CloseOutput();
            return;
        }
        await StdioRelay.RunAsync(conn, session, tty, exec.Spec.Tty ? DetachKeys.Parse(exec.Spec.DetachKeys) : null, closeStdinOnEof: true, ctx.Aborted)
            .ConfigureAwait(false);
    }

    private static async Task ResizeAsync(HttpContext ctx, DaemonServices s)
    {
        await s.Containers.ResizeExecAsync(ctx.RouteValues["id"], ctx.Request.Query.Int("h") ?? 0, ctx.Request.Query.Int("w") ?? 0, ctx.Aborted)
            .ConfigureAwait(false);
        await ctx.Response.WriteBytesAsync(200, "text/plain; charset=utf-8", ReadOnlyMemory<byte>.Empty, ctx.Aborted).ConfigureAwait(false);
    }

    private static Task InspectAsync(HttpContext ctx, DaemonServices s)
    {
        var e = s.Containers.GetExec(ctx.RouteValues["id"]);
        var body = new ExecInspectResponse
        {
            ID = e.Id,
            Running = e.Running,
            ExitCode = e.ExitCode,
            ProcessConfig = new ExecProcessConfig
            {
                Tty = e.Spec.Tty,
                Entrypoint = e.Spec.Cmd.Count > 0 ? e.Spec.Cmd[0] : "",
                Arguments = [.. e.Spec.Cmd.Skip(1)],
                User = e.Spec.User ?? "",
            },
            OpenStdin = e.Spec.AttachStdin,
            OpenStdout = e.Spec.AttachStdout,
            OpenStderr = e.Spec.AttachStderr,
            ContainerID = e.ContainerId,
            DetachKeys = e.Spec.DetachKeys ?? "",
            Pid = e.Pid,
        };
        return ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.ExecInspectResponse, ctx.Aborted);
    }
}
