using System.Text.Json;
using Bulwark.Daemon.Api;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Access.Labels;

/// <summary>Labels from the engine's records; a request body's labels and references from its (buffered) JSON.</summary>
internal sealed class EngineTargetLabels(DaemonServices services) : ITargetLabels
{
    /// <summary>Create bodies are small; a larger one is not read for labels (and so is not granted by a scoped role).</summary>
    public const int MaxCreateBodyBytes = 1 << 20;

    private static readonly string[] BuiltInNetworks = ["", "default", "bridge", "host", "none"];

    public async Task<IReadOnlyList<LabelledObject>> ObjectsOfAsync(string action, string target, HttpRequest request, CancellationToken ct)
    {
        var objects = new List<LabelledObject>();
        string kind = action[..action.IndexOf('.', StringComparison.Ordinal)];
        if (action is "container.create" or "volume.create" or "network.create" or "network.connect")
        {
            var body = await request.Body.BufferAsync(MaxCreateBodyBytes, ct).ConfigureAwait(false);
            using var doc = Parse(body);
            if (action == "network.connect")
            {
                objects.Add(new LabelledObject($"network {target}", Find(() => services.Containers.Networks.Get(target).Labels)));
                string container = doc is not null && doc.RootElement.TryGetProperty("Container", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
                objects.Add(Container(container));
                return objects;
            }

            objects.Add(new LabelledObject("the create request", doc is null ? null : StringMap(doc.RootElement, "Labels")));
            if (action == "container.create" && doc is not null)
            {
                objects.AddRange(ReferencedByContainerCreate(doc.RootElement));
            }

            return objects;
        }

        if (target.Length == 0)
        {
            return [new LabelledObject("the request", null)];
        }

        if (ApiVersioning.SplitVersion(request.Path).Item2.StartsWith("/exec/", StringComparison.Ordinal))
        {
            string? containerId = Find(() => services.Containers.GetExec(target).ContainerId);
            return [containerId is null ? new LabelledObject($"exec {target}", null) : Container(containerId)];
        }

        IReadOnlyDictionary<string, string>? labels = kind switch
        {
            "container" => Find(() => services.Containers.Get(target).Labels),
            "image" => Find(() => services.Images.Resolve(target).Config.Labels),
            "volume" => Find(() => services.Volumes.Get(target).Record.Labels),
            "network" => Find(() => services.Containers.Networks.Get(target).Labels),
            _ => null,
        };
        return [new LabelledObject($"{kind} {target}", labels)];
    }

    /// <summary>Existing named volumes (Binds, Mounts), networks and containers (volumes-from, container: modes) a create uses.</summary>
    private IEnumerable<LabelledObject> ReferencedByContainerCreate(JsonElement body)
    {
        if (!body.TryGetProperty("HostConfig", out var host) || host.ValueKind != JsonValueKind.Object)
        {
            host = default;
        }

        var volumes = new List<string>();
        var containers = new List<string>();
        var networks = new List<string>();
        if (host.ValueKind == JsonValueKind.Object)
        {
            volumes.AddRange(Strings(host, "Binds").Select(b => b.Split(':')[0]).Where(s => s.Length > 0 && !s.StartsWith('/')));
            if (host.TryGetProperty("Mounts", out var mounts) && mounts.ValueKind == JsonValueKind.Array)
            {
                volumes.AddRange(mounts.EnumerateArray()
                    .Where(m => m.ValueKind == JsonValueKind.Object && Text(m, "Type") == "volume" && Text(m, "Source") is { Length: > 0 })
                    .Select(m => Text(m, "Source")!));
            }

            containers.AddRange(Strings(host, "VolumesFrom").Select(v => v.Split(':')[0]));
            foreach (string mode in new[] { Text(host, "NetworkMode"), Text(host, "PidMode"), Text(host, "IpcMode") }.OfType<string>())
            {
                if (mode.StartsWith("container:", StringComparison.Ordinal))
                {
                    containers.Add(mode["container:".Length..]);
                }
                else if (mode == Text(host, "NetworkMode") && !BuiltInNetworks.Contains(mode))
                {
                    networks.Add(mode);
                }
            }
        }

        if (body.TryGetProperty("NetworkingConfig", out var nc) && nc.ValueKind == JsonValueKind.Object
            && nc.TryGetProperty("EndpointsConfig", out var endpoints) && endpoints.ValueKind == JsonValueKind.Object)
        {
            networks.AddRange(endpoints.EnumerateObject().Select(e => e.Name).Where(n => !BuiltInNetworks.Contains(n)));
        }

        foreach (string v in volumes.Distinct(StringComparer.Ordinal))
        {
            // A volume that does not exist yet is made for this container: nothing to match.
            if (Find(() => services.Volumes.Get(v).Record.Labels) is { } labels)
            {
                yield return new LabelledObject($"volume {v}", labels);
            }
        }

        foreach (string n in networks.Distinct(StringComparer.Ordinal))
        {
            yield return new LabelledObject($"network {n}", Find(() => services.Containers.Networks.Get(n).Labels));
        }

        foreach (string c in containers.Distinct(StringComparer.Ordinal))
        {
            yield return Container(c);
        }
    }

    private LabelledObject Container(string reference) =>
        new($"container {reference}", reference.Length == 0 ? null : Find(() => services.Containers.Get(reference).Labels));

    private static T? Find<T>(Func<T> lookup)
        where T : class
    {
        try
        {
            return lookup();
        }
        catch (EngineException)
        {
            return null; // No such object: nothing to match.
        }
    }

    private static JsonDocument? Parse(ReadOnlyMemory<byte>? body)
    {
        try
        {
            return body is { } b && b.Length > 0 ? JsonDocument.Parse(b) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IReadOnlyDictionary<string, string> StringMap(JsonElement body, string property)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty(property, out var map) && map.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in map.EnumerateObject())
            {
                result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return result;
    }

    private static IEnumerable<string> Strings(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)
            : [];

    private static string? Text(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
