using System.Text.Json;
using Bulwark.Daemon.Api;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Access.Labels;

/// <summary>Target labels from the engine's records; create requests' labels from their (buffered) JSON body.</summary>
internal sealed class EngineTargetLabels(DaemonServices services) : ITargetLabels
{
    /// <summary>Create bodies are small; a larger one is not read for labels (and so is not granted by a scoped role).</summary>
    public const int MaxCreateBodyBytes = 1 << 20;

    public async Task<IReadOnlyDictionary<string, string>?> LabelsOfAsync(string action, string target, HttpRequest request, CancellationToken ct)
    {
        try
        {
            return action switch
            {
                "container.create" or "volume.create" or "network.create" => await CreateLabelsAsync(request, ct).ConfigureAwait(false),
                _ when target.Length == 0 => null,
                _ when ApiVersioning.SplitVersion(request.Path).Item2.StartsWith("/exec/", StringComparison.Ordinal) =>
                    services.Containers.Get(services.Containers.GetExec(target).ContainerId).Labels,
                _ when action.StartsWith("container.", StringComparison.Ordinal) => services.Containers.Get(target).Labels,
                _ when action.StartsWith("image.", StringComparison.Ordinal) => services.Images.Resolve(target).Config.Labels,
                _ when action.StartsWith("volume.", StringComparison.Ordinal) => services.Volumes.Get(target).Record.Labels,
                _ when action.StartsWith("network.", StringComparison.Ordinal) => services.Containers.Networks.Get(target).Labels,
                _ => null,
            };
        }
        catch (EngineException)
        {
            return null; // No such object: nothing to match.
        }
    }

    private static async Task<IReadOnlyDictionary<string, string>?> CreateLabelsAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await request.Body.BufferAsync(MaxCreateBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body.Value);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("Labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
            {
                return new Dictionary<string, string>(StringComparer.Ordinal);
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in labels.EnumerateObject())
            {
                result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }

            return result;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
