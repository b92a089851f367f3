using System.Security.Cryptography;
using System.Text;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Networks;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks;

namespace Bulwark.Daemon.Api.Networks;

/// <summary>
/// Networks as they exist on this daemon: the two predefined modes ("none", the default, and "host", policy-gated)
/// and user-defined bridge networks (internal: no egress, no published ports). Also the build-cache prune, which has
/// nothing to prune (no builder).
/// </summary>
internal static class NetworkEndpoints
{
    private static readonly (string Name, string Driver)[] Builtin = [("none", "null"), ("host", "host")];

    public static void Map(DockerApiRouter router, DaemonServices s)
    {
        router.Map("GET", "/networks", ctx => ListAsync(ctx, s));
        router.Map("GET", "/networks/{id}", async ctx =>
        {
            var dto = await NetworkEgressView.AddAsync(Find(ctx.RouteValues["id"], s), s, ctx.Aborted).ConfigureAwait(false);
            await ctx.Response.WriteJsonAsync(200, dto, DockerJsonContext.Default.NetworkDto, ctx.Aborted).ConfigureAwait(false);
        });
        router.Map("POST", "/networks/create", ctx => CreateAsync(ctx, s));
        router.Map("DELETE", "/networks/{id}", async ctx =>
        {
            string id = ctx.RouteValues["id"];
            RefusePredefined(id, s, "removed");
            await s.Containers.Networks.RemoveAsync(id, ctx.Aborted).ConfigureAwait(false);
            await ctx.Response.WriteEmptyAsync(204, ctx.Aborted).ConfigureAwait(false);
        });
        router.Map("POST", "/networks/{id}/connect", ctx => ConnectAsync(ctx, s));
        router.Map("POST", "/networks/{id}/disconnect", ctx => DisconnectAsync(ctx, s));
        router.Map("POST", "/networks/prune", ctx => PruneAsync(ctx, s));
        router.Map("POST", "/build/prune", ctx => Json(ctx, "{\"CachesDeleted\":[],\"SpaceReclaimed\":0}"));
    }

    private static Task Json(HttpContext ctx, string json) =>
        ctx.Response.WriteBytesAsync(200, "application/json", Encoding.UTF8.GetBytes(json), ctx.Aborted);

    private static Task ListAsync(HttpContext ctx, DaemonServices s)
    {
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"), ["dangling", "driver", "id", "label", "name", "scope", "type"]);
        if (filters.TryGetValue("type", out var types) && types.Any(t => t is not ("custom" or "builtin")))
        {
            throw EngineException.Invalid($"invalid filter: 'type'='{string.Join(",", types)}' (custom or builtin)");
        }
        var all = Builtin.Select(b => (Dto: BuiltinDto(b.Name, b.Driver, s), Custom: false, Labels: (IReadOnlyDictionary<string, string>)new Dictionary<string, string>()))
            .Concat(s.Containers.Networks.List().Select(n => (Dto: ToDto(n, withContainers: false), Custom: true, n.Labels)));
        var list = all.Where(x =>
                (!filters.TryGetValue("name", out var names) || names.Any(v => x.Dto.Name.Contains(v, StringComparison.Ordinal)))
                && (!filters.TryGetValue("id", out var ids) || ids.Any(v => x.Dto.Id.StartsWith(v, StringComparison.Ordinal)))
                && (!filters.TryGetValue("driver", out var drivers) || drivers.Contains(x.Dto.Driver))
                && (!filters.TryGetValue("scope", out var scopes) || scopes.Contains("local"))
                && (!filters.TryGetValue("type", out var t) || t.Contains(x.Custom ? "custom" : "builtin"))
                && (!filters.TryGetValue("label", out var labels) || labels.All(l => ListFilters.LabelMatches(x.Labels, l)))
                && (!filters.TryGetValue("dangling", out var dangling) || dangling.All(d => Dangling(d) == (x.Custom && IsUnused(x.Dto.Id, s)))))
            .Select(x => x.Dto).ToList();
        return ctx.Response.WriteJsonAsync(200, list, DockerJsonContext.Default.ListNetworkDto, ctx.Aborted);
    }

    private static bool Dangling(string value) => value switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw EngineException.Invalid($"invalid filter 'dangling={value}'"),
    };

    private static bool IsUnused(string id, DaemonServices s) => s.Containers.Networks.Get(id).Endpoints.IsEmpty;

    private static NetworkDto Find(string reference, DaemonServices s)
    {
        var builtin = Builtin.Where(n => n.Name == reference || NetworkId(n.Name, s).StartsWith(reference, StringComparison.Ordinal)).ToList();
        if (builtin.Count == 1 && !s.Containers.Networks.TryGet(reference, out _))
        {
            return BuiltinDto(builtin[0].Name, builtin[0].Driver, s);
        }
        return ToDto(s.Containers.Networks.Get(reference), withContainers: true);
    }

    private static void RefusePredefined(string reference, DaemonServices s, string verb)
    {
        if (NetworkService.PredefinedNames.Contains(reference) || Builtin.Any(b => NetworkId(b.Name, s) == reference))
        {
            throw EngineException.Forbidden("predefined-network", $"{reference} is a pre-defined network and cannot be {verb}");
        }
    }

    private static async Task CreateAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.NetworkCreateRequest).ConfigureAwait(false)
            ?? throw EngineException.Invalid("network create: a request body is required");
        if (string.IsNullOrEmpty(body.Name))
        {
            throw EngineException.Invalid("network name is required");
        }
        if (body.Ingress || body.ConfigOnly || body.ConfigFrom is { ValueKind: System.Text.Json.JsonValueKind.Object } from && from.EnumerateObject().Any(p => p.Value.GetString() is { Length: > 0 }))
        {
            throw EngineException.Invalid("Ingress, ConfigOnly and ConfigFrom are swarm features and are not supported");
        }
        if (body.Scope is { Length: > 0 } scope && scope != "local")
        {
            throw EngineException.Invalid($"scope \"{scope}\" is not supported: networks are local");
        }
        var all = body.IPAM?.Config ?? [];
        // One IPv4 and (with --ipv6) one IPv6 entry: Docker's dual-stack network.
        var config = all.Where(c => c.Subnet?.Contains(':', StringComparison.Ordinal) != true).ToList();
        var v6 = all.Where(c => c.Subnet?.Contains(':', StringComparison.Ordinal) == true).ToList();
        if (v6.Count > 1)
        {
            throw EngineException.Invalid("IPAM.Config: only one IPv6 subnet per network is supported");
        }
        if (v6.FirstOrDefault() is { IPRange.Length: > 0 } r6)
        {
            throw EngineException.Invalid($"IPAM.Config: --ip-range {r6.IPRange} for the IPv6 subnet is not supported");
        }
        var first = config.FirstOrDefault();
        var spec = new NetworkCreateSpec
        {
            Name = body.Name,
            Driver = string.IsNullOrEmpty(body.Driver) ? "bridge" : body.Driver,
            Labels = body.Labels ?? [],
            Options = body.Options ?? [],
            Internal = body.Internal,
            EnableIPv6 = body.EnableIPv6 == true || v6.Count > 0,
            Subnet6 = NullIfEmpty(v6.FirstOrDefault()?.Subnet),
            Gateway6 = NullIfEmpty(v6.FirstOrDefault()?.Gateway),
            Subnet = NullIfEmpty(first?.Subnet),
            Gateway = NullIfEmpty(first?.Gateway),
            IpRange = NullIfEmpty(first?.IPRange),
            IpamConfigCount = config.Count,
            IpamDriver = string.IsNullOrEmpty(body.IPAM?.Driver) ? "default" : body.IPAM.Driver,
        };
        if (first?.AuxiliaryAddresses is { Count: > 0 })
        {
            throw EngineException.Invalid("IPAM.Config.AuxiliaryAddresses (--aux-address) is not supported");
        }
        var (network, warning) = await s.Containers.Networks.CreateAsync(spec, ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(201, new NetworkCreateResponse(network.Id, warning), DockerJsonContext.Default.NetworkCreateResponse, ctx.Aborted)
            .ConfigureAwait(false);
    }

    private static async Task ConnectAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.NetworkConnectRequest).ConfigureAwait(false);
        string container = body?.Container is { Length: > 0 } c ? c : throw EngineException.Invalid("Container: a container is required");
        string id = ctx.RouteValues["id"];
        RefusePredefined(id, s, "connected to");
        var ep = body.EndpointConfig;
        var request = new EndpointRequest
        {
            Aliases = ep?.Aliases ?? [],
            IPv4Address = NullIfEmpty(ep?.IPAMConfig?.IPv4Address),
            IPv6Address = NullIfEmpty(ep?.IPAMConfig?.IPv6Address),
            MacAddress = NullIfEmpty(ep?.MacAddress),
            Links = ep?.Links ?? [],
        };
        await s.Containers.ConnectAsync(container, id, request, ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteEmptyAsync(200, ctx.Aborted).ConfigureAwait(false);
    }

    private static async Task DisconnectAsync(HttpContext ctx, DaemonServices s)
    {
        var body = await RequestJson.ReadAsync(ctx, DockerJsonContext.Default.NetworkDisconnectRequest).ConfigureAwait(false);
        string container = body?.Container is { Length: > 0 } c ? c : throw EngineException.Invalid("Container: a container is required");
        string id = ctx.RouteValues["id"];
        if (id == "none" || id == NetworkId("none", s))
        {
            id = "none"; // Docker's way to make a --network none container connectable (the engine decides)
        }
        else
        {
            RefusePredefined(id, s, "disconnected from");
        }
        await s.Containers.DisconnectAsync(container, id, ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteEmptyAsync(200, ctx.Aborted).ConfigureAwait(false);
    }

    private static async Task PruneAsync(HttpContext ctx, DaemonServices s)
    {
        var filters = ListFilters.Parse(ctx.Request.Query.Get("filters"), ["label", "label!", "until"]);
        DateTimeOffset? until = filters.TryGetValue("until", out var u) && u.Count > 0 ? ApiTime.ParseUnix(u[0]) : null;
        var deleted = await s.Containers.Networks.PruneAsync(n =>
            (!filters.TryGetValue("label", out var labels) || labels.All(l => ListFilters.LabelMatches(n.Labels, l)))
            && (!filters.TryGetValue("label!", out var notLabels) || !notLabels.Any(l => ListFilters.LabelMatches(n.Labels, l)))
            && (until is null || n.Created < until), ctx.Aborted).ConfigureAwait(false);
        await ctx.Response.WriteJsonAsync(200, new NetworkPruneResponse(deleted), DockerJsonContext.Default.NetworkPruneResponse, ctx.Aborted)
            .ConfigureAwait(false);
    }

    private static string? NullIfEmpty(string? v) => string.IsNullOrEmpty(v) ? null : v;

    /// <summary>A stable 64-hex id per daemon and predefined network name.</summary>
    private static string NetworkId(string name, DaemonServices s) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s.Options.DaemonId + "/network/" + name)));

    private static NetworkDto BuiltinDto(string name, string driver, DaemonServices s) => new()
    {
        Name = name,
        Id = NetworkId(name, s),
        Created = Containers.ContainerViewMapper.Time(s.StartedAt),
        Driver = driver,
        IPAM = new IpamDto { Driver = "default", Config = [] },
    };

    private static NetworkDto ToDto(NetworkRecord n, bool withContainers)
    {
        int prefix = n.ParsedSubnet.PrefixLength;
        return new NetworkDto
        {
            Name = n.Name,
            Id = n.Id,
            Created = Containers.ContainerViewMapper.Time(n.Created),
            Driver = n.Driver,
            IPAM = new IpamDto
            {
                Driver = "default",
                Options = [],
                Config = n.Subnet6 is null
                    ? [new IpamConfigDto { Subnet = n.Subnet, Gateway = n.Gateway, IPRange = n.IpRange }]
                    : [new IpamConfigDto { Subnet = n.Subnet, Gateway = n.Gateway, IPRange = n.IpRange }, new IpamConfigDto { Subnet = n.Subnet6, Gateway = n.Gateway6 }],
            },
            EnableIPv6 = n.EnableIPv6,
            Internal = n.Internal,
            Containers = withContainers
                ? n.Endpoints.Values.ToDictionary(e => e.ContainerId, e => new NetworkContainerDto
                {
                    Name = e.ContainerName,
                    EndpointID = e.EndpointId,
                    MacAddress = e.MacAddress,
                    IPv4Address = e.IPv4Address + "/" + prefix.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    IPv6Address = e.IPv6Address is { } a6
                        ? a6 + "/" + n.ParsedSubnet6!.Value.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : "",
                }, StringComparer.Ordinal)
                : new Dictionary<string, NetworkContainerDto>(),
            Options = n.Options,
            Labels = n.Labels,
        };
    }
}
