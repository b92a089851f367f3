using System.Globalization;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Volumes;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Volumes;

namespace Bulwark.Daemon.Api.Volumes;

/// <summary><c>/volumes</c>: Docker's local volume driver (create, list, inspect, remove, prune).</summary>
internal static class VolumeEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("GET", "/volumes", ctx => ListAsync(ctx, s));
        router.Map("POST", "/volumes/create", ctx => CreateAsync(ctx, s));
        router.Map("POST", "/volumes/prune", ctx => PruneAsync(ctx, s));
        router.Map("GET", "/volumes/{name}", ctx =>
            ctx.Response.WriteJsonAsync(200, ToDto(s.Volumes.Get(ctx.RouteValues["name"])), DockerJsonContext.Default.VolumeDto, ctx.Aborted));
        router.Map("PUT", "/volumes/{name}", _ =>
            throw new EngineException(ErrorKind.NotImplemented, "volume update is only for swarm cluster volumes, which are not supported"));
        router.Map("DELETE", "/volumes/{name}", async ctx =>
        {
            s.Volumes.Remove(ctx.RouteValues["name"], ctx.Request.Query.Bool("force"));
            await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
        });
    }

    public static VolumeDto ToDto(VolumeInfo v, VolumeUsageData? usage = null) => new()
    {
        Name = v.Name,
        Driver = v.Record.Driver,
        Mountpoint = v.Mountpoint,
        CreatedAt = v.Record.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Labels = v.Record.Labels,
        Options = v.Record.Options,
        UsageData = usage,
    };

    private static async Task CreateAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.VolumeCreateRequest).ConfigureAwait(false) ?? new VolumeCreateRequest();
        if (body.ClusterVolumeSpec is { ValueKind: not System.Text.Json.JsonValueKind.Null })
        {
            throw EngineException.Invalid("ClusterVolumeSpec: swarm cluster volumes are not supported");
        }

        var volume = s.Volumes.Create(body.Name, body.Driver, body.DriverOpts, body.Labels);
        await ctx.Response.WriteJsonAsync(201, ToDto(volume), DockerJsonContext.Default.VolumeDto, ctx.Aborted).ConfigureAwait(false);
    }

    private static Task ListAsync(HttpContext ctx, DaemonServices s)
    {
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"), ["dangling", "driver", "label", "label!", "name"]);
        bool? dangling = filters.TryGetValue("dangling", out var d) && d.Count > 0 ? ParseBool(d[0], "dangling") : null;
        var volumes = s.Volumes.List().Where(v =>
            (dangling is null || dangling == (v.ContainerIds.Count == 0))
            && (!filters.TryGetValue("driver", out var drivers) || drivers.Count == 0 || drivers.Contains(v.Record.Driver))
            && (!filters.TryGetValue("name", out var names) || names.Count == 0 || names.Any(n => v.Name.Contains(n, StringComparison.Ordinal)))
            && Labelled(v.Record, filters));
        var body = new VolumeListResponse { Volumes = [.. volumes.Select(v => ToDto(v))] };
        return ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.VolumeListResponse, ctx.Aborted);
    }

    private static Task PruneAsync(HttpContext ctx, DaemonServices s)
    {
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"), ["label", "label!", "all"]);
        // Before API 1.42 prune removed every unused volume; since then only anonymous ones unless all=true.
        bool all = ApiVersioning.Compare(ctx.ApiVersion, "1.42") < 0
            || (filters.TryGetValue("all", out var a) && a.Count > 0 && ParseBool(a[0], "all"));
        var (deleted, reclaimed) = s.Volumes.Prune(all, r => Labelled(r, filters), ctx.Aborted);
        var body = new VolumePruneResponse { VolumesDeleted = deleted, SpaceReclaimed = reclaimed };
        return ctx.Response.WriteJsonAsync(200, body, DockerJsonContext.Default.VolumePruneResponse, ctx.Aborted);
    }

    private static bool Labelled(VolumeRecord r, Dictionary<string, List<string>> filters) =>
        (!filters.TryGetValue("label", out var labels) || labels.All(l => ListFilters.LabelMatches(r.Labels, l)))
        && (!filters.TryGetValue("label!", out var notLabels) || !notLabels.Any(l => ListFilters.LabelMatches(r.Labels, l)));

    private static bool ParseBool(string value, string filter) => value.ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw EngineException.Invalid($"invalid filter '{filter}={value}': use true or false"),
    };
}
