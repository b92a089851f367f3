using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bulwark.Cli.Output;

/// <summary>
/// The subset of Go templates that <c>--format</c> supports, evaluated over the daemon's raw JSON:
/// literal text; <c>{{.}}</c>; field paths <c>{{.State.Status}}</c> (exact name first, then case-insensitive);
/// functions <c>{{json .Config}}</c>, <c>{{index .Config.Labels "key"}}</c>, <c>{{join .Args ","}}</c>,
/// <c>{{upper .Name}}</c>, <c>{{lower .Name}}</c>, <c>{{len .Mounts}}</c>; <c>{{- </c>/<c> -}}</c> trim markers.
/// Missing fields print <c>&lt;no value&gt;</c>; values print like Go's <c>%v</c>. No range/if/with.
/// </summary>
internal sealed class GoTemplate
{
    private readonly List<(string? Literal, string[]? Action)> _parts = [];

    private GoTemplate()
    {
    }

    public static GoTemplate Parse(string template)
    {
        var t = new GoTemplate();
        var pos = 0;
        while (pos < template.Length)
        {
            var open = template.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                t._parts.Add((template[pos..], null));
                break;
            }

            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new CliException(1, $"template: unclosed action in \"{template}\"");
            }

            var literal = template[pos..open];
            var inner = template[(open + 2)..close];
            var next = close + 2;
            if (inner.StartsWith("- ", StringComparison.Ordinal))
            {
                literal = literal.TrimEnd();
                inner = inner[2..];
            }

            var trimAfter = inner.EndsWith(" -", StringComparison.Ordinal);
            if (trimAfter)
            {
                inner = inner[..^2];
            }

            if (literal.Length > 0)
            {
                t._parts.Add((literal, null));
            }

            t._parts.Add((null, Tokenize(inner.Trim())));
            pos = next;
            if (trimAfter)
            {
                while (pos < template.Length && char.IsWhiteSpace(template[pos]))
                {
                    pos++;
                }
            }
        }

        return t;
    }

    public string Execute(JsonElement root)
    {
        var sb = new StringBuilder();
        foreach (var (literal, action) in _parts)
        {
            sb.Append(literal ?? Evaluate(action!, root));
        }

        return sb.ToString();
    }

    private static string Evaluate(string[] tokens, JsonElement root)
    {
        if (tokens.Length == 0)
        {
            throw new CliException(1, "template: empty action");
        }

        if (tokens[0].StartsWith('.'))
        {
            if (tokens.Length != 1)
            {
                throw new CliException(1, $"template: unsupported action \"{string.Join(' ', tokens)}\"");
            }

            return Lookup(root, tokens[0]) is { } v ? FormatValue(v) : "<no value>";
        }

        var args = tokens.Skip(1).ToArray();
        JsonElement? Arg(int i) => i < args.Length && args[i].StartsWith('.') ? Lookup(root, args[i]) : null;
        string StringArg(int i) => i < args.Length ? Unquote(args[i]) : throw new CliException(1, $"template: {tokens[0]}: missing argument");

        switch (tokens[0])
        {
            case "json":
                return Arg(0) is { } j ? JsonOutput.Compact(j) : "null";
            case "upper":
                return Arg(0) is { } u ? FormatValue(u).ToUpperInvariant() : "<no value>";
            case "lower":
                return Arg(0) is { } l ? FormatValue(l).ToLowerInvariant() : "<no value>";
            case "len":
                return Arg(0) switch
                {
                    { ValueKind: JsonValueKind.Array } a => a.GetArrayLength().ToString(CultureInfo.InvariantCulture),
                    { ValueKind: JsonValueKind.Object } o => o.EnumerateObject().Count().ToString(CultureInfo.InvariantCulture),
                    { ValueKind: JsonValueKind.String } s => s.GetString()!.Length.ToString(CultureInfo.InvariantCulture),
                    _ => throw new CliException(1, "template: len of a value that has no length"),
                };
            case "join":
                return Arg(0) is { ValueKind: JsonValueKind.Array } arr
                    ? string.Join(StringArg(1), arr.EnumerateArray().Select(FormatValue))
                    : "";
            case "index":
                var current = Arg(0);
                for (var i = 1; i < args.Length && current is { } c; i++)
                {
                    var key = Unquote(args[i]);
                    current = c.ValueKind switch
                    {
                        JsonValueKind.Object => c.TryGetProperty(key, out var p) ? p : null,
                        JsonValueKind.Array when int.TryParse(key, CultureInfo.InvariantCulture, out var n) && n >= 0 && n < c.GetArrayLength() => c[n],
                        _ => null,
                    };
                }

                return current is { } found ? FormatValue(found) : "<no value>";
            default:
                throw new CliException(1, $"template: function \"{tokens[0]}\" not defined");
        }
    }

    private static JsonElement? Lookup(JsonElement root, string path)
    {
        if (path == ".")
        {
            return root;
        }

        var current = root;
        foreach (var name in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (current.TryGetProperty(name, out var exact))
            {
                current = exact;
                continue;
            }

            JsonElement? match = null;
            foreach (var p in current.EnumerateObject())
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    match = p.Value;
                    break;
                }
            }

            if (match is null)
            {
                return null;
            }

            current = match.Value;
        }

        return current;
    }

    /// <summary>Go's <c>%v</c>: strings bare, null as &lt;nil&gt;, arrays [a b], objects map[k:v] sorted by key.</summary>
    private static string FormatValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => "<nil>",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.Array => "[" + string.Join(' ', value.EnumerateArray().Select(FormatValue)) + "]",
        _ => "map[" + string.Join(' ', value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + ":" + FormatValue(p.Value))) + "]",
    };

    private static string[] Tokenize(string action)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < action.Length)
        {
            if (char.IsWhiteSpace(action[i]))
            {
                i++;
                continue;
            }

            var start = i;
            if (action[i] == '"')
            {
                i++;
                while (i < action.Length && action[i] != '"')
                {
                    i += action[i] == '\\' ? 2 : 1;
                }

                i++;
            }
            else
            {
                while (i < action.Length && !char.IsWhiteSpace(action[i]))
                {
                    i++;
                }
            }

            tokens.Add(action[start..Math.Min(i, action.Length)]);
        }

        return [.. tokens];
    }

    private static string Unquote(string token) =>
        token.Length >= 2 && token[0] == '"' && token[^1] == '"'
            ? token[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal)
            : token;
}
