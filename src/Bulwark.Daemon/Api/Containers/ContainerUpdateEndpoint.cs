using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Containers.Update;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Containers;

/// <summary><c>POST /containers/{id}/update</c> (<c>docker update</c>): translates Docker's UpdateConfig, decides nothing.</summary>
internal static class ContainerUpdateEndpoint
{
    public static void Map(DockerApiRouter router, DaemonServices s) =>
        router.Map("POST", "/containers/{id}/update", ctx => UpdateAsync(ctx, s));

    private static async Task UpdateAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.ContainerUpdateRequest).ConfigureAwait(false)
            ?? throw EngineException.Invalid("update config cannot be empty");
        var warnings = await s.Containers.UpdateAsync(ctx.RouteValues["id"], ToUpdate(body), ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(200, new ContainerUpdateResponse(warnings), DockerJsonContext.Default.ContainerUpdateResponse, ctx.Aborted)
            .ConfigureAwait(false);
    }

    /// <summary>The engine's update request; a field bulwarkd cannot change on an existing container is refused by name.</summary>
    internal static ContainerUpdate ToUpdate(ContainerUpdateRequest body)
    {
        foreach (var (field, value) in body.Other ?? [])
        {
            if (IsSet(value))
            {
                throw EngineException.Invalid(
                    $"{field} cannot be updated: bulwarkd sets it only when the container is created (update changes Memory, MemorySwap, " +
                    "MemoryReservation, NanoCpus, CpuShares, CpuQuota, CpuPeriod, CpusetCpus, PidsLimit and RestartPolicy)");
            }
        }
        return new ContainerUpdate
        {
            MemoryBytes = body.Memory,
            MemorySwapBytes = body.MemorySwap,
            MemoryReservationBytes = body.MemoryReservation,
            NanoCpus = body.NanoCpus,
            CpuShares = body.CpuShares,
            CpuQuota = body.CpuQuota,
            CpuPeriod = body.CpuPeriod,
            CpusetCpus = body.CpusetCpus,
            PidsLimit = body.PidsLimit,
            Restart = body.RestartPolicy is { Name.Length: > 0 } policy ? ContainerCreateMapper.MapRestart(policy, autoRemove: false) : null,
        };
    }

    /// <summary>Go clients send every field, zero or null when unset: only a non-zero value asks for a change.</summary>
    private static bool IsSet(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => false,
        JsonValueKind.Number => value.GetDouble() != 0,
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(p => IsSet(p.Value)),
        _ => true,
    };
}
