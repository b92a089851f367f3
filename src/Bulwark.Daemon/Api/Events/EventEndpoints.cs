using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Events;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;

namespace Bulwark.Daemon.Api.Events;

/// <summary><c>GET /events</c>: replay of the last 256 events in [since, until], then live events until <c>until</c>.</summary>
internal static class EventEndpoints
{
    private static readonly string[] AcceptedFilters =
        ["config", "container", "daemon", "event", "image", "label", "network", "node", "plugin", "scope", "secret", "service", "type", "volume"];

    public static void Map(DockerApiRouter router, DaemonServices s) => router.Map("GET", "/events", ctx => StreamAsync(ctx, s));

    private static async Task StreamAsync(HttpContext ctx, DaemonServices s)
    {
        var q = ctx.Request.Query;
        var filters = ListFilters.Parse(q.Get("filters"), AcceptedFilters);
        DateTimeOffset? since = ApiTime.ParseUnix(q.Get("since"));
        DateTimeOffset? until = ApiTime.ParseUnix(q.Get("until"));
        if (since is { } a && until is { } b && a > b)
        {
            throw EngineException.Invalid("`since` time must be before `until`");
        }
        var (past, live, subscription) = s.Events.Subscribe();
        using (subscription)
        {
            var body = await ctx.Response.StartChunkedAsync(200, "application/json", ctx.Aborted).ConfigureAwait(false);
            // Like Docker: only a request with `since` replays the past; otherwise only new events are streamed.
            foreach (var e in since is null ? [] : past)
            {
                if (e.Time >= since && (until is null || e.Time <= until) && Matches(e, filters))
                {
                    await WriteAsync(body, e, ctx.Aborted).ConfigureAwait(false);
                }
            }
            var now = DateTimeOffset.UtcNow;
            if (until is { } u && u <= now)
            {
                await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
                return;
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.Aborted);
            if (until is { } end)
            {
                cts.CancelAfter(end - now);
            }
            try
            {
                await foreach (var e in live.ReadAllAsync(cts.Token).ConfigureAwait(false))
                {
                    if (Matches(e, filters))
                    {
                        await WriteAsync(body, e, cts.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (!ctx.Aborted.IsCancellationRequested)
            {
            }
            await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
        }
    }

    internal static bool Matches(EngineEvent e, Dictionary<string, List<string>> filters)
    {
        foreach (var (key, values) in filters)
        {
            if (values.Count == 0)
            {
                continue;
            }
            bool ok = key switch
            {
                "type" => values.Contains(e.Type),
                "event" => values.Any(v => e.Action == v || e.Action.StartsWith(v + ":", StringComparison.Ordinal)),
                "container" => e.Type == "container" && values.Any(v => e.ActorId.StartsWith(v, StringComparison.Ordinal)
                    || (e.Attributes.TryGetValue("name", out string? n) && n == v)),
                "image" => values.Any(v => e.Attributes.TryGetValue("image", out string? i) && i == v || (e.Type == "image" && e.ActorId.Contains(v, StringComparison.Ordinal))),
                "label" => values.All(v => ListFilters.LabelMatches(e.Attributes, v)),
                "scope" => values.Contains("local"),
                "network" => e.Type == "network" && values.Any(v => e.ActorId.StartsWith(v, StringComparison.Ordinal)
                    || (e.Attributes.TryGetValue("name", out string? nn) && nn == v)),
                "volume" => e.Type == "volume" && values.Contains(e.ActorId),
                "secret" => e.Type == "secret" && values.Any(v => e.ActorId.StartsWith(v, StringComparison.Ordinal)
                    || (e.Attributes.TryGetValue("name", out string? sn) && sn == v)),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static async Task WriteAsync(Stream body, EngineEvent e, CancellationToken ct)
    {
        long nanos = (e.Time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        bool legacy = e.Type is "container" or "image";
        var msg = new EventMessage
        {
            Status = legacy ? e.Action : null,
            Id = legacy ? e.ActorId : null,
            From = e.Type == "container" && e.Attributes.TryGetValue("image", out string? img) ? img : null,
            Type = e.Type,
            Action = e.Action,
            Actor = new EventActor(e.ActorId, e.Attributes),
            Time = nanos / 1_000_000_000,
            TimeNano = nanos,
        };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(msg, DockerJsonContext.Default.EventMessage);
        await body.WriteAsync((byte[])[.. json, (byte)'\n'], ct).ConfigureAwait(false);
    }
}
