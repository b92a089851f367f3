using System.Text.Json;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api;

/// <summary>Docker's <c>filters</c> query: <c>{"key":{"value":true}}</c> or the legacy <c>{"key":["value"]}</c>.</summary>
internal static class ListFilters
{
    public static Dictionary<string, List<string>> Parse(string? json, IReadOnlyCollection<string> accepted)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return result;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!accepted.Contains(prop.Name))
                {
                    throw EngineException.Invalid($"Invalid filter '{prop.Name}'");
                }
                var values = new List<string>();
                if (prop.Value.ValueKind == JsonValueKind.Object)
                {
                    values.AddRange(prop.Value.EnumerateObject().Where(v => v.Value.ValueKind != JsonValueKind.False).Select(v => v.Name));
                }
                else if (prop.Value.ValueKind == JsonValueKind.Array)
                {
                    values.AddRange(prop.Value.EnumerateArray().Select(v => v.GetString() ?? ""));
                }
                result[prop.Name] = values;
            }
        }
        catch (JsonException ex)
        {
            throw EngineException.Invalid("invalid filters: " + ex.Message);
        }
        return result;
    }

    /// <summary>A <c>label</c> filter value: "key" (present) or "key=value" (equal).</summary>
    public static bool LabelMatches(IReadOnlyDictionary<string, string> labels, string filter)
    {
        string[] kv = filter.Split('=', 2);
        return labels.TryGetValue(kv[0], out string? v) && (kv.Length == 1 || v == kv[1]);
    }
}
