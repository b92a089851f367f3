using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Secrets;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Secrets;

namespace Bulwark.Daemon.Api.Secrets;

/// <summary><c>/secrets</c> without swarm: values are encrypted at rest and never returned.</summary>
internal static class SecretEndpoints
{
    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("POST", "/secrets/create", ctx => CreateAsync(ctx, s));
        router.Map("GET", "/secrets", ctx => ListAsync(ctx, s));
        router.Map("GET", "/secrets/{id}", ctx => ctx.Response.WriteJsonAsync(200, ToDto(s.Secrets.Get(ctx.RouteValues["id"])),
            DockerJsonContext.Default.SecretDto, ctx.Aborted));
        router.Map("DELETE", "/secrets/{id}", async ctx =>
        {
            var secret = s.Secrets.Get(ctx.RouteValues["id"]);
            var users = s.Containers.SecretUsers(secret.Id);
            if (users.Count > 0)
            {
                throw EngineException.Conflict(
                    $"secret {secret.Name} is in use by container{(users.Count == 1 ? "" : "s")} {string.Join(", ", users)}: remove {(users.Count == 1 ? "it" : "them")} first");
            }
            s.Secrets.Remove(secret.Id);
            Publish(s, "remove", secret);
            await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
        });
        router.Map("POST", "/secrets/{id}/update", _ =>
            throw new EngineException(ErrorKind.NotImplemented, "secret update is not supported: secrets are immutable; remove and create it again"));
    }

    private static async Task CreateAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.SecretCreateRequest).ConfigureAwait(false)
            ?? throw EngineException.Invalid("secret spec cannot be empty");
        if (body.Driver is { ValueKind: not JsonValueKind.Null })
        {
            throw EngineException.Invalid("Driver: external secret drivers are not supported; send the value in Data");
        }
        if (body.Templating is { ValueKind: not JsonValueKind.Null })
        {
            throw EngineException.Invalid("Templating: secret templating is not supported");
        }
        byte[] data;
        try
        {
            data = Convert.FromBase64String(body.Data ?? "");
        }
        catch (FormatException)
        {
            throw EngineException.Invalid("Data: not valid base64");
        }
        var secret = s.Secrets.Create(body.Name ?? "", data, body.Labels ?? []);
        Array.Clear(data);
        Publish(s, "create", secret);
        await ctx.Response.WriteJsonAsync(201, new SecretCreateResponse(secret.Id), DockerJsonContext.Default.SecretCreateResponse, ctx.Aborted)
            .ConfigureAwait(false);
    }

    private static Task ListAsync(HttpContext ctx, DaemonServices s)
    {
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"), ["id", "label", "name", "names"]);
        var list = s.Secrets.List().Where(x =>
            (!filters.TryGetValue("id", out var ids) || ids.Any(i => x.Id.StartsWith(i, StringComparison.Ordinal)))
            && (!filters.TryGetValue("name", out var names) || names.Any(n => x.Name.StartsWith(n, StringComparison.Ordinal)))
            && (!filters.TryGetValue("names", out var exact) || exact.Contains(x.Name))
            && (!filters.TryGetValue("label", out var labels) || labels.All(l => ListFilters.LabelMatches(x.Labels, l))))
            .Select(ToDto).ToList();
        return ctx.Response.WriteJsonAsync(200, list, DockerJsonContext.Default.ListSecretDto, ctx.Aborted);
    }

    private static SecretDto ToDto(SecretRecord x) => new()
    {
        ID = x.Id,
        Version = new SecretVersion(x.Version),
        CreatedAt = Containers.ContainerViewMapper.Time(x.CreatedAt),
        UpdatedAt = Containers.ContainerViewMapper.Time(x.UpdatedAt),
        Spec = new SecretSpecDto { Name = x.Name, Labels = x.Labels },
    };

    private static void Publish(DaemonServices s, string action, SecretRecord secret) =>
        s.Events.Publish(new Bulwark.Engine.Events.EngineEvent("secret", action, secret.Id,
            new Dictionary<string, string> { ["name"] = secret.Name }, DateTimeOffset.UtcNow));
}
