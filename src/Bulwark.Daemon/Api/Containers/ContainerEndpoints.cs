using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Daemon.Api.Streams;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Logs;

namespace Bulwark.Daemon.Api.Containers;

/// <summary>The <c>/containers/…</c> routes.</summary>
internal static class ContainerEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("POST", "/containers/create", ctx => CreateAsync(ctx, s));
        router.Map("GET", "/containers/json", ctx => ListAsync(ctx, s));
        router.Map("GET", "/containers/{id}/json", ctx => InspectAsync(ctx, s));
        router.Map("POST", "/containers/{id}/start", ctx => StartAsync(ctx, s));
        router.Map("POST", "/containers/{id}/attach", ctx => AttachAsync(ctx, s));
        router.Map("POST", "/containers/{id}/wait", ctx => WaitAsync(ctx, s));
        router.Map("POST", "/containers/{id}/stop", ctx => StopAsync(ctx, s));
        router.Map("POST", "/containers/{id}/restart", ctx => RestartAsync(ctx, s));
        router.Map("POST", "/containers/{id}/kill", ctx => KillAsync(ctx, s));
        router.Map("POST", "/containers/{id}/resize", ctx => ResizeAsync(ctx, s));
        router.Map("DELETE", "/containers/{id}", ctx => RemoveAsync(ctx, s));
        router.Map("GET", "/containers/{id}/logs", ctx => LogsAsync(ctx, s));
        router.Map("POST", "/containers/{id}/pause", async ctx =>
        {
            await s.Containers.PauseAsync(Id(ctx), ctx.Aborted).ConfigureAwait(false);
            await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
        });
        router.Map("POST", "/containers/{id}/unpause", async ctx =>
        {
            await s.Containers.UnpauseAsync(Id(ctx), ctx.Aborted).ConfigureAwait(false);
            await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
        });
        router.Map("POST", "/containers/{id}/rename", async ctx =>
        {
            await s.Containers.RenameAsync(Id(ctx), ctx.Request.Query.Get("name") ?? throw EngineException.Invalid("name is required"), ctx.Aborted)
                .ConfigureAwait(false);
            await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
        });
        router.Map("GET", "/containers/{id}/top", ctx => TopAsync(ctx, s));
        router.Map("POST", "/containers/prune", ctx => PruneAsync(ctx, s));
    }

    /// <summary>Runs the host's <c>ps</c> with the client's arguments and keeps the rows of the container's processes.</summary>
    private static async Task TopAsync(HttpContext ctx, DaemonServices s)
    {
        var pids = s.Containers.ProcessIds(Id(ctx));
        string psArgs = ctx.Request.Query.Get("ps_args") is { Length: > 0 } a ? a : "-ef";
        // Whitespace separates arguments, as dockerd splits them; commas belong to ps (`-o pid,comm`).
        string[] args = psArgs.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        // As dockerd: select the container's processes with `-q` (without it, `-o ...` alone selects only processes with
        // the daemon's euid, and the container's run under its user namespace's ids); a ps without -q gets the plain args.
        var (exit, output, error) = pids.Count > 0
            ? await RunPsAsync([.. args, "-q", string.Join(',', pids)], ctx.Aborted).ConfigureAwait(false)
            : (1, "", "");
        if (exit != 0)
        {
            (exit, output, error) = await RunPsAsync(args, ctx.Aborted).ConfigureAwait(false);
        }

        if (exit != 0)
        {
            throw EngineException.Invalid($"ps {psArgs} failed: {error.Trim()}");
        }
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] titles = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int pidColumn = Array.IndexOf(titles, "PID");
        if (pidColumn < 0)
        {
            throw EngineException.Invalid($"ps {psArgs}: no PID column in its output");
        }
        var rows = new List<IReadOnlyList<string>>();
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split(' ', titles.Length, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length > pidColumn && int.TryParse(fields[pidColumn], out int pid) && pids.Contains(pid))
            {
                rows.Add(fields);
            }
        }
        await ctx.Response.WriteJsonAsync(200, new ContainerTopResponse(titles, rows), DockerJsonContext.Default.ContainerTopResponse, ctx.Aborted)
            .ConfigureAwait(false);
    }

    private static async Task<(int Exit, string Output, string Error)> RunPsAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var ps = System.Diagnostics.Process.Start(psi) ?? throw new EngineException(ErrorKind.Internal, "cannot run ps");
        var output = ps.StandardOutput.ReadToEndAsync(ct);
        var error = ps.StandardError.ReadToEndAsync(ct);
        await ps.WaitForExitAsync(ct).ConfigureAwait(false);
        return (ps.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    private static async Task PruneAsync(HttpContext ctx, DaemonServices s)
    {
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"), ["until", "label", "label!"]);
        static bool Labelled(ContainerRecord r, string l) => ListFilters.LabelMatches(r.Labels, l);
        DateTimeOffset? until = filters.TryGetValue("until", out var u) && u.Count > 0 ? ApiTime.ParseUnix(u[0]) : null;
        var pruned = await s.Containers.PruneAsync(r =>
            (until is null || r.Created < until)
            && (!filters.TryGetValue("label", out var labels) || labels.All(l => Labelled(r, l)))
            && (!filters.TryGetValue("label!", out var notLabels) || !notLabels.Any(l => Labelled(r, l))),
            ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(200, new PruneResponse { ContainersDeleted = pruned.Removed, SpaceReclaimed = pruned.SpaceReclaimed }, DockerJsonContext.Default.PruneResponse, ctx.Aborted)
            .ConfigureAwait(false);
    }

    private static string Id(HttpContext ctx) => ctx.RouteValues["id"];

    private static async Task CreateAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.ContainerCreateRequest).ConfigureAwait(false)
            ?? throw EngineException.Invalid("config cannot be empty in order to create a container");
        var spec = ContainerCreateMapper.Map(body, ctx.Request.Query.Get("name"));
        var (record, warnings) = await s.Containers.CreateAsync(spec, ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(201, new ContainerCreateResponse(record.Id, warnings),
            DockerJsonContext.Default.ContainerCreateResponse, ctx.Aborted).ConfigureAwait(false);
    }

    private static Task ListAsync(HttpContext ctx, DaemonServices s)
    {
        bool all = ctx.Request.Query.Bool("all");
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"),
            ["ancestor", "before", "exited", "id", "label", "name", "status", "since", "health", "volume", "network", "is-task", "publish", "expose", "isolation"]);
        var now = DateTimeOffset.UtcNow;
        IEnumerable<ContainerRecord> records = s.Containers.List();
        bool statusFilter = filters.ContainsKey("status");
        if (!all && !statusFilter)
        {
            records = records.Where(r => r.State is ContainerState.Running or ContainerState.Paused);
        }
        records = records.Where(r => Matches(r, filters, s));
        if (ctx.Request.Query.Int("limit") is int limit and > 0)
        {
            records = records.Take(limit);
        }
        bool size = ctx.Request.Query.Bool("size");
        var list = records.Select(r => size
            ? ContainerViewMapper.ToSummary(r, now, s.Containers.NetworksOf(r)) with
            {
                SizeRw = s.Containers.SizeRw(r.Id),
                SizeRootFs = s.Images.TryResolve(r.ImageId)?.Size ?? 0,
            }
            : ContainerViewMapper.ToSummary(r, now, s.Containers.NetworksOf(r))).ToList();
        return ctx.Response.WriteJsonAsync(200, list, DockerJsonContext.Default.ListContainerSummary, ctx.Aborted);
    }

    private static bool Matches(ContainerRecord r, Dictionary<string, List<string>> filters, DaemonServices s)
    {
        foreach (var (key, values) in filters)
        {
            bool ok = key switch
            {
                "id" => values.Any(v => r.Id.StartsWith(v, StringComparison.Ordinal)),
                "name" => values.Any(v => Regex.IsMatch("/" + r.Name, v, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))),
                "status" => values.Any(v => ContainerViewMapper.StateName(r.State) == v),
                "exited" => r.State == ContainerState.Exited && values.Any(v => v == r.ExitCode.ToString(CultureInfo.InvariantCulture)),
                "label" => values.All(v => ListFilters.LabelMatches(r.Labels, v)),
                "ancestor" => values.Any(v => v == r.Spec.Image || s.Images.TryResolve(v)?.Id == r.ImageId),
                "network" => values.Any(v => v == r.Spec.Network.Mode
                    || s.Containers.NetworksOf(r).Any(x => x.Network.Name == v || x.Network.Id.StartsWith(v, StringComparison.Ordinal))),
                "before" => values.All(v => r.Created < s.Containers.Get(v).Created),
                "since" => values.All(v => r.Created > s.Containers.Get(v).Created),
                "health" => values.Any(v => v == (r.Health?.Status ?? "none")),
                "volume" => values.Any(v => r.Spec.Storage.Binds.Any(b => b.Source == v || b.Destination == v)
                    || r.Volumes.Any(x => x.Name == v || x.Destination == v)),
                "publish" or "expose" => PortMapper.Matches(r, values, publish: key == "publish"),
                "is-task" => values.All(v => v is "false" or "0"),
                "isolation" => values.All(v => v is "default" or ""),
                _ => throw EngineException.Invalid($"Invalid filter '{key}'"),
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static Task InspectAsync(HttpContext ctx, DaemonServices s)
    {
        var r = s.Containers.Get(Id(ctx));
        var view = ContainerViewMapper.ToInspect(r, s.Containers.GetLogPath(r), s.SnapshotDriver, s.Containers.NetworksOf(r), s.Containers.SandboxKey(r));
        return ctx.Response.WriteJsonAsync(200, view, DockerJsonContext.Default.ContainerInspectResponse, ctx.Aborted);
    }

    private static async Task StartAsync(HttpContext ctx, DaemonServices s)
    {
        bool started = await s.Containers.StartAsync(Id(ctx), ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteEmptyAsync(started ? 204 : 304, ctx.Aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Hijacks the connection and streams the container's stdio: stdcopy frames without a TTY, raw bytes with one.
    /// A client half-close only ends its input; the output ends when the container exits.
    /// </summary>
    private static async Task AttachAsync(HttpContext ctx, DaemonServices s)
    {
        var q = ctx.Request.Query;
        var record = s.Containers.Get(Id(ctx));
        bool stdin = q.Bool("stdin");
        bool stdout = q.Bool("stdout");
        bool stderr = q.Bool("stderr");
        bool logs = q.Bool("logs");
        bool stream = q.Bool("stream");
        bool tty = record.Spec.Tty;
        var detachKeys = tty ? DetachKeys.Parse(q.Get("detachKeys")) : null; // before the upgrade: a bad value is a 400
        using var session = stream ? s.Containers.Attach(Id(ctx), stdin, stdout, stderr) : null;
        string contentType = ApiVersioning.StreamContentType(tty, ctx.ApiVersion);
        var conn = await ctx.Response.HijackAsync(ctx.Request.WantsUpgrade, contentType, ctx.Aborted).ConfigureAwait(false);

        async ValueTask Send(OutputStream which, ReadOnlyMemory<byte> data)
        {
            await conn.WriteAsync(tty ? data : StdStreamFramer.Frame((int)which, data.Span), ctx.Aborted).ConfigureAwait(false);
        }

        if (logs)
        {
            var options = new LogReadOptions { Stdout = stdout, Stderr = stderr };
            await foreach (var e in JsonFileLogReader.ReadAsync(s.Containers.GetLogPath(record), options, () => false, ctx.Aborted)
                .ConfigureAwait(false))
            {
                await Send(e.Stream, e.Text).ConfigureAwait(false);
            }
        }
        if (session is null)
        {
            conn.CloseOutput();
            return;
        }

        // `run -i` (StdinOnce, no TTY): the client's stdin EOF closes the container's stdin; otherwise it is a detach.
        await StdioRelay.RunAsync(conn, session, tty, detachKeys, closeStdinOnEof: record.Spec.StdinOnce && !tty, ctx.Aborted)
            .ConfigureAwait(false);
    }

    /// <summary>Registers the waiter, sends 200 and the headers at once, then blocks until the condition holds.</summary>
    private static async Task WaitAsync(HttpContext ctx, DaemonServices s)
    {
        Task<int> waiter = s.Containers.Wait(Id(ctx), ctx.Request.Query.Get("condition"));
        var body = await ctx.Response.StartChunkedAsync(200, "application/json", ctx.Aborted).ConfigureAwait(false);
        int code = await waiter.WaitAsync(ctx.Aborted).ConfigureAwait(false);
        byte[] json = Encoding.UTF8.GetBytes($"{{\"Error\":null,\"StatusCode\":{code.ToString(CultureInfo.InvariantCulture)}}}\n");
        await body.WriteAsync(json, ctx.Aborted).ConfigureAwait(false);
        await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
    }

    private static async Task StopAsync(HttpContext ctx, DaemonServices s)
    {
        bool stopped = await s.Containers.StopAsync(Id(ctx), ctx.Request.Query.Int("t"), ctx.Request.Query.Get("signal"), ctx.Aborted)
            .ConfigureAwait(false);
        await ctx.Response.WriteEmptyAsync(stopped ? 204 : 304, ctx.Aborted).ConfigureAwait(false);
    }

    private static async Task RestartAsync(HttpContext ctx, DaemonServices s)
    {
        await s.Containers.StopAsync(Id(ctx), ctx.Request.Query.Int("t"), ctx.Request.Query.Get("signal"), ctx.Aborted).ConfigureAwait(false);
        await s.Containers.StartAsync(Id(ctx), ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
    }

    private static async Task KillAsync(HttpContext ctx, DaemonServices s)
    {
        await s.Containers.KillAsync(Id(ctx), ctx.Request.Query.Get("signal"), ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
    }

    private static async Task ResizeAsync(HttpContext ctx, DaemonServices s)
    {
        int h = ctx.Request.Query.Int("h") ?? 0;
        int w = ctx.Request.Query.Int("w") ?? 0;
        await s.Containers.ResizeAsync(Id(ctx), h, w, ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteBytesAsync(200, "text/plain; charset=utf-8", ReadOnlyMemory<byte>.Empty, ctx.Aborted).ConfigureAwait(false);
    }

    private static async Task RemoveAsync(HttpContext ctx, DaemonServices s)
    {
        if (ctx.Request.Query.Bool("link"))
        {
            throw EngineException.Invalid("links are not supported");
        }
        await s.Containers.RemoveAsync(Id(ctx), ctx.Request.Query.Bool("force"), ctx.Request.Query.Bool("v"), ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
    }

    private static async Task LogsAsync(HttpContext ctx, DaemonServices s)
    {
        var q = ctx.Request.Query;
        var record = s.Containers.Get(Id(ctx));
        if (!record.Spec.Log.Stored)
        {
            // dockerd answers 501 with this text for a driver that cannot be read back (--log-driver none).
            throw new EngineException(ErrorKind.NotImplemented, "configured logging driver does not support reading");
        }
        bool stdout = q.Bool("stdout");
        bool stderr = q.Bool("stderr");
        if (!stdout && !stderr)
        {
            throw EngineException.Invalid("Bad parameters: you must choose at least one stream");
        }
        string? tail = q.Get("tail");
        var options = new LogReadOptions
        {
            Stdout = stdout,
            Stderr = stderr,
            Follow = q.Bool("follow"),
            Tail = tail is null or "all" or "" ? null : int.TryParse(tail, out int t) ? t : throw EngineException.Invalid("invalid tail: " + tail),
            Since = q.Get("since") == "0" ? null : ApiTime.ParseUnix(q.Get("since")),
            Until = q.Get("until") == "0" ? null : ApiTime.ParseUnix(q.Get("until")),
        };
        bool timestamps = q.Bool("timestamps");
        bool tty = record.Spec.Tty;
        string contentType = ApiVersioning.StreamContentType(tty, ctx.ApiVersion);
        var body = await ctx.Response.StartChunkedAsync(200, contentType, ctx.Aborted).ConfigureAwait(false);
        string id = record.Id;
        bool IsRunning()
        {
            try
            {
                return s.Containers.Get(id).State is ContainerState.Running or ContainerState.Paused or ContainerState.Created;
            }
            catch (EngineException)
            {
                return false;
            }
        }
        await foreach (var e in JsonFileLogReader.ReadAsync(s.Containers.GetLogPath(record), options, IsRunning, ctx.Aborted).ConfigureAwait(false))
        {
            byte[] text = e.Text;
            if (timestamps)
            {
                text = [.. Encoding.ASCII.GetBytes(e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z' ", CultureInfo.InvariantCulture)), .. text];
            }
            await body.WriteAsync(tty ? text : StdStreamFramer.Frame((int)e.Stream, text), ctx.Aborted).ConfigureAwait(false);
        }
        await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
    }
}
