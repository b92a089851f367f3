using System.Globalization;
using System.Text.Json;

namespace Bulwark.Cli.Output;

/// <summary>
/// Template values are JSON elements, strings, booleans, integers, doubles, lists of values or null. Printing follows
/// Go's <c>%v</c>: strings bare, arrays <c>[a b]</c>, objects <c>map[k:v]</c> sorted by key, null <c>&lt;nil&gt;</c>.
/// </summary>
internal static class TemplateValues
{
    /// <summary>A value that was looked up and not found: prints as <c>&lt;no value&gt;</c>.</summary>
    public static readonly object Missing = new();

    public static object? Field(object? value, string path)
    {
        var current = value;
        foreach (var name in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not JsonElement { ValueKind: JsonValueKind.Object } element)
            {
                if (current is null || current == Missing || current is JsonElement { ValueKind: JsonValueKind.Null })
                {
                    return Missing;
                }

                throw new CliException(1, $"template: can't evaluate field {name} in type {TypeName(current)}");
            }

            if (element.TryGetProperty(name, out var exact))
            {
                current = exact;
                continue;
            }

            current = Missing;
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    current = property.Value;
                    break;
                }
            }
        }

        return current;
    }

    public static string Print(object? value) => value switch
    {
        null => "<nil>",
        string s => s,
        bool b => b ? "true" : "false",
        long n => n.ToString(CultureInfo.InvariantCulture),
        int n => n.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        IReadOnlyList<object?> list => "[" + string.Join(' ', list.Select(Print)) + "]",
        JsonElement e => PrintJson(e),
        _ when value == Missing => "<no value>",
        _ => value.ToString() ?? "",
    };

    private static string PrintJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "<nil>",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Array => "[" + string.Join(' ', value.EnumerateArray().Select(PrintJson)) + "]",
        _ => "map[" + string.Join(' ', value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + ":" + PrintJson(p.Value))) + "]",
    };

    /// <summary>Go's truth: false, 0, nil, and empty strings, arrays and maps are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long n => n != 0,
        int n => n != 0,
        double d => d != 0,
        IReadOnlyList<object?> list => list.Count > 0,
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.False or JsonValueKind.Null or JsonValueKind.Undefined => false,
            JsonValueKind.String => e.GetString()!.Length > 0,
            JsonValueKind.Number => e.GetDouble() != 0,
            JsonValueKind.Array => e.GetArrayLength() > 0,
            JsonValueKind.Object => e.EnumerateObject().Any(),
            _ => true,
        },
        _ => value != Missing,
    };

    /// <summary>Unwraps JSON scalars so comparisons see strings, numbers and booleans.</summary>
    public static object? Scalar(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.String } s => s.GetString(),
        JsonElement { ValueKind: JsonValueKind.Number } n => n.TryGetInt64(out var l) ? l : n.GetDouble(),
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        JsonElement { ValueKind: JsonValueKind.Null } => null,
        int i => (long)i,
        _ => value,
    };

    public static string TypeName(object? value) => value switch
    {
        string => "string",
        bool => "bool",
        long or int => "int",
        double => "float64",
        JsonElement { ValueKind: JsonValueKind.Array } => "[]interface {}",
        JsonElement { ValueKind: JsonValueKind.String } => "string",
        JsonElement { ValueKind: JsonValueKind.Number } => "float64",
        JsonElement { ValueKind: JsonValueKind.True or JsonValueKind.False } => "bool",
        IReadOnlyList<object?> => "[]string",
        _ => "interface {}",
    };
}
