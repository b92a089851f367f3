using System.Globalization;
using System.Text.Json;

namespace Bulwark.Audit.Bench;

/// <summary>Tolerant reads from Docker API documents: a missing or differently typed field is simply absent.</summary>
internal static class Json
{
    public static JsonElement? Get(JsonElement e, params string[] path)
    {
        foreach (var name in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e))
            {
                return null;
            }
        }

        return e.ValueKind == JsonValueKind.Null ? null : e;
    }

    public static string Str(JsonElement e, params string[] path) => Get(e, path) is { } v ? v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "",
    } : "";

    public static bool Bool(JsonElement e, params string[] path) => Get(e, path) is { ValueKind: JsonValueKind.True };

    public static long Num(JsonElement e, params string[] path) =>
        Get(e, path) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out long n) ? n : 0;

    public static bool HasNum(JsonElement e, params string[] path) => Get(e, path) is { ValueKind: JsonValueKind.Number };

    public static IReadOnlyList<JsonElement> Arr(JsonElement e, params string[] path) =>
        Get(e, path) is { ValueKind: JsonValueKind.Array } v ? [.. v.EnumerateArray()] : [];

    public static IReadOnlyList<string> Strings(JsonElement e, params string[] path) =>
        [.. Arr(e, path).Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)];

    public static string Octal(uint mode) => Convert.ToString(mode, 8).PadLeft(4, '0');

    public static string Name(JsonElement container) =>
        Str(container, "Name").TrimStart('/') is { Length: > 0 } n ? n : Str(container, "Id")[..Math.Min(12, Str(container, "Id").Length)];

    public static string Invariant(long n) => n.ToString(CultureInfo.InvariantCulture);
}
