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
            // NAME@N removes that version; NAME (or an id) removes every version.
            string reference = ctx.RouteValues["id"];
            var secret = s.Secrets.Get(reference);
            bool oneVersion = reference.Contains('@', StringComparison.Ordinal);
            var users = s.Containers.SecretUsers(secret.Id, oneVersion ? secret.Version : null);
            if (users.Count > 0)
            {
                string what = oneVersion ? secret.VersionedName : secret.Name;
                throw EngineException.Conflict(
                    $"secret {what} is in use by container{(users.Count == 1 ? "" : "s")} {string.Join(", ", users)}: remove {(users.Count == 1 ? "it" : "them")} first");
            }
            s.Secrets.Remove(oneVersion ? secret.Id + "@" + secret.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) : secret.Id);
            Publish(s, "remove", secret, oneVersion ? secret.Version : null);
            await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
        });
        router.Map("POST", "/secrets/{id}/versions", ctx => AddVersionAsync(ctx, s));
        router.Map("POST", "/secrets/rotate-key", async ctx =>
        {
            int versions = s.Secrets.RotateKey();
            s.Events.Publish(new Bulwark.Engine.Events.EngineEvent("secret", "rotate-key", "",
                new Dictionary<string, string> { ["versions"] = versions.ToString(System.Globalization.CultureInfo.InvariantCulture) }, DateTimeOffset.UtcNow));
            await ctx.Response.WriteJsonAsync(200, new SecretRotateKeyResponse(versions), DockerJsonContext.Default.SecretRotateKeyResponse, ctx.Aborted)
                .ConfigureAwait(false);
        });
        router.Map("POST", "/secrets/{id}/update", _ =>
            throw new EngineException(ErrorKind.NotImplemented,
                "secret update is not supported: a version's value is immutable; add a version with `bulwark secret create NAME FILE`"));
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
        byte[] data = Decode(body.Data);
        var secret = s.Secrets.Create(body.Name ?? "", data, body.Labels ?? []);
        Array.Clear(data);
        Publish(s, "create", secret, null);
        await ctx.Response.WriteJsonAsync(201, new SecretCreateResponse(secret.Id), DockerJsonContext.Default.SecretCreateResponse, ctx.Aborted)
            .ConfigureAwait(false);
    }

    /// <summary><c>POST /secrets/{id}/versions</c> (Bulwark): the next version of an existing secret, from Data (base64).</summary>
    private static async Task AddVersionAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.SecretCreateRequest).ConfigureAwait(false)
            ?? throw EngineException.Invalid("secret version cannot be empty: send the value in Data");
        byte[] data = Decode(body.Data);
        var secret = s.Secrets.AddVersion(ctx.RouteValues["id"], data, body.Labels);
        Array.Clear(data);
        Publish(s, "update", secret, secret.Version);
        await ctx.Response.WriteJsonAsync(201, ToDto(secret), DockerJsonContext.Default.SecretDto, ctx.Aborted).ConfigureAwait(false);
    }

    private static byte[] Decode(string? data)
    {
        try
        {
            return Convert.FromBase64String(data ?? "");
        }
        catch (FormatException)
        {
            throw EngineException.Invalid("Data: not valid base64");
        }
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
        Versions = [.. x.Versions.Select(v => new SecretVersionDto(v.Version, Containers.ContainerViewMapper.Time(v.CreatedAt)))],
    };

    private static void Publish(DaemonServices s, string action, SecretRecord secret, long? version)
    {
        var attributes = new Dictionary<string, string> { ["name"] = secret.Name };
        if (version is long v)
        {
            attributes["version"] = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        s.Events.Publish(new Bulwark.Engine.Events.EngineEvent("secret", action, secret.Id, attributes, DateTimeOffset.UtcNow));
    }
}
