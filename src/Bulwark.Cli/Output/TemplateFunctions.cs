using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bulwark.Cli.Output;

/// <summary>
/// Functions of <c>--format</c> templates: Go's <c>eq ne lt le gt ge and or not len index print printf println</c>
/// and the docker CLI's <c>json join split lower upper title pad truncate</c>.
/// </summary>
internal static class TemplateFunctions
{
    public static object? Invoke(string name, IReadOnlyList<object?> args) => name switch
    {
        "json" => Json(Arg(name, args, 0)),
        "upper" => Text(Arg(name, args, 0)).ToUpperInvariant(),
        "lower" => Text(Arg(name, args, 0)).ToLowerInvariant(),
        "title" => Title(Text(Arg(name, args, 0))),
        "len" => Length(Arg(name, args, 0)),
        "join" => string.Join(Text(Arg(name, args, 1)), Items(Arg(name, args, 0)).Select(TemplateValues.Print)),
        "split" => Text(Arg(name, args, 0)).Split(Text(Arg(name, args, 1))).Cast<object?>().ToList(),
        "pad" => Pad(Text(Arg(name, args, 0)), Int(Arg(name, args, 1)), Int(Arg(name, args, 2))),
        "truncate" => Truncate(Text(Arg(name, args, 0)), Int(Arg(name, args, 1))),
        "index" => Index(args),
        "eq" => args.Count >= 2 && args.Skip(1).Any(a => Equal(args[0], a)),
        "ne" => !Equal(Arg(name, args, 0), Arg(name, args, 1)),
        "lt" => Compare(Arg(name, args, 0), Arg(name, args, 1)) < 0,
        "le" => Compare(Arg(name, args, 0), Arg(name, args, 1)) <= 0,
        "gt" => Compare(Arg(name, args, 0), Arg(name, args, 1)) > 0,
        "ge" => Compare(Arg(name, args, 0), Arg(name, args, 1)) >= 0,
        "not" => !TemplateValues.IsTrue(Arg(name, args, 0)),
        "and" => args.FirstOrDefault(a => !TemplateValues.IsTrue(a), args.Count > 0 ? args[^1] : null),
        "or" => args.FirstOrDefault(TemplateValues.IsTrue, args.Count > 0 ? args[^1] : null),
        "print" => string.Concat(args.Select(TemplateValues.Print)),
        "println" => string.Join(' ', args.Select(TemplateValues.Print)) + "\n",
        "printf" => Printf(Text(Arg(name, args, 0)), args.Skip(1).ToList()),
        _ => throw new CliException(1, $"template: function \"{name}\" not defined"),
    };

    private static object? Arg(string name, IReadOnlyList<object?> args, int i) =>
        i < args.Count ? args[i] : throw new CliException(1, $"template: wrong number of args for {name}: want at least {i + 1} got {args.Count}");

    private static string Text(object? value) => TemplateValues.Print(TemplateValues.Scalar(value));

    private static int Int(object? value) => TemplateValues.Scalar(value) switch
    {
        long n => (int)n,
        double d => (int)d,
        string s when int.TryParse(s, CultureInfo.InvariantCulture, out var n) => n,
        var other => throw new CliException(1, $"template: expected an integer, got {TemplateValues.Print(other)}"),
    };

    private static string Json(object? value)
    {
        if (value is JsonElement element)
        {
            return JsonOutput.Compact(element);
        }

        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, value);
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case JsonElement e:
                e.WriteTo(writer);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case long n:
                writer.WriteNumberValue(n);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case IReadOnlyList<object?> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static object Length(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Array } a => (long)a.GetArrayLength(),
        JsonElement { ValueKind: JsonValueKind.Object } o => (long)o.EnumerateObject().Count(),
        JsonElement { ValueKind: JsonValueKind.String } s => (long)s.GetString()!.Length,
        string s => (long)s.Length,
        IReadOnlyList<object?> list => (long)list.Count,
        _ => throw new CliException(1, $"template: error calling len: len of type {TemplateValues.TypeName(value)}"),
    };

    private static IEnumerable<object?> Items(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => (object?)e),
        IReadOnlyList<object?> list => list,
        null or JsonElement { ValueKind: JsonValueKind.Null } => [],
        _ => [value],
    };

    private static object? Index(IReadOnlyList<object?> args)
    {
        var current = Arg("index", args, 0);
        foreach (var key in args.Skip(1))
        {
            var k = TemplateValues.Scalar(key);
            current = current switch
            {
                JsonElement { ValueKind: JsonValueKind.Object } o => o.TryGetProperty(TemplateValues.Print(k), out var p) ? p : TemplateValues.Missing,
                JsonElement { ValueKind: JsonValueKind.Array } a when k is long n && n >= 0 && n < a.GetArrayLength() => a[(int)n],
                IReadOnlyList<object?> list when k is long n && n >= 0 && n < list.Count => list[(int)n],
                JsonElement { ValueKind: JsonValueKind.Array } or IReadOnlyList<object?> => throw new CliException(1, $"template: error calling index: index out of range: {TemplateValues.Print(k)}"),
                _ => TemplateValues.Missing,
            };
        }

        return current;
    }

    private static bool Equal(object? a, object? b)
    {
        var x = TemplateValues.Scalar(a);
        var y = TemplateValues.Scalar(b);
        return (x, y) switch
        {
            (long l, double d) => l == d,
            (double d, long l) => l == d,
            _ => Equals(x, y),
        };
    }

    private static int Compare(object? a, object? b) => (TemplateValues.Scalar(a), TemplateValues.Scalar(b)) switch
    {
        (long x, long y) => x.CompareTo(y),
        (long x, double y) => ((double)x).CompareTo(y),
        (double x, long y) => x.CompareTo(y),
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        var (x, y) => throw new CliException(1, $"template: incompatible types for comparison: {TemplateValues.TypeName(x)} and {TemplateValues.TypeName(y)}"),
    };

    private static string Title(string s) =>
        string.Join(' ', s.Split(' ').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));

    private static string Pad(string s, int left, int right) => new string(' ', Math.Max(0, left)) + s + new string(' ', Math.Max(0, right));

    private static string Truncate(string s, int length) => length >= 0 && s.Length > length ? s[..length] : s;

    /// <summary>printf with the verbs %s %v %d %q %% (widths like %-10s honoured).</summary>
    private static string Printf(string format, IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }

            var j = i + 1;
            var leftAlign = format[j] == '-';
            if (leftAlign)
            {
                j++;
            }

            var widthStart = j;
            while (j < format.Length && char.IsDigit(format[j]))
            {
                j++;
            }

            var width = j > widthStart ? int.Parse(format[widthStart..j], CultureInfo.InvariantCulture) : 0;
            if (j >= format.Length)
            {
                sb.Append(format[i..]);
                break;
            }

            var verb = format[j];
            i = j;
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }

            var value = next < args.Count ? TemplateValues.Scalar(args[next++]) : TemplateValues.Missing;
            var text = verb == 'q' ? "\"" + TemplateValues.Print(value).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : TemplateValues.Print(value);
            sb.Append(leftAlign ? text.PadRight(width) : text.PadLeft(width));
        }

        return sb.ToString();
    }
}
