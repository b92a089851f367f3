using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bulwark.Cli.Output;

/// <summary>
/// The Go <c>text/template</c> language as <c>--format</c> uses it, evaluated over JSON documents: literal text,
/// <c>{{.Field.Sub}}</c> (exact name first, then case-insensitive), <c>{{.}}</c>, <c>$</c> and variables,
/// <c>{{if}}/{{else if}}/{{else}}/{{end}}</c>, <c>{{range}}</c> (with <c>$v :=</c> / <c>$k, $v :=</c>) and
/// <c>{{with}}</c>, pipelines with <c>|</c>, parenthesised calls, the trim markers <c>{{-</c>/<c>-}}</c>, and the
/// functions listed in <see cref="TemplateFunctions"/>. Missing fields print <c>&lt;no value&gt;</c>; values print
/// like Go's <c>%v</c>.
/// </summary>
internal sealed class GoTemplate
{
    private readonly List<TemplateNode> _nodes;

    private GoTemplate(List<TemplateNode> nodes) => _nodes = nodes;

    public static GoTemplate Parse(string template) => new(TemplateParser.Parse(template));

    public string Execute(JsonElement root)
    {
        var sb = new StringBuilder();
        var scope = new TemplateScope(root);
        Run(_nodes, root, scope, sb);
        return sb.ToString();
    }

    private static void Run(List<TemplateNode> nodes, object? dot, TemplateScope scope, StringBuilder sb)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    sb.Append(text.Text);
                    break;
                case ActionNode action:
                    var value = Evaluate(action.Pipeline, dot, scope);
                    if (action.Pipeline.Declare.Count == 0)
                    {
                        sb.Append(TemplateValues.Print(value));
                    }

                    break;
                case IfNode branch:
                    var inner = scope.Push();
                    if (TemplateValues.IsTrue(Evaluate(branch.Condition, dot, inner)))
                    {
                        Run(branch.Then, dot, inner, sb);
                    }
                    else
                    {
                        Run(branch.Else, dot, scope.Push(), sb);
                    }

                    break;
                case WithNode with:
                    var withScope = scope.Push();
                    var withValue = Evaluate(with.Value, dot, withScope);
                    if (TemplateValues.IsTrue(withValue))
                    {
                        Run(with.Then, withValue, withScope, sb);
                    }
                    else
                    {
                        Run(with.Else, dot, scope.Push(), sb);
                    }

                    break;
                case RangeNode range:
                    RunRange(range, dot, scope, sb);
                    break;
            }
        }
    }

    private static void RunRange(RangeNode range, object? dot, TemplateScope scope, StringBuilder sb)
    {
        var list = Evaluate(range.Over with { Declare = [] }, dot, scope);
        var items = new List<(object? Key, object? Value)>();
        switch (list)
        {
            case JsonElement { ValueKind: JsonValueKind.Array } array:
                var i = 0L;
                foreach (var e in array.EnumerateArray())
                {
                    items.Add((i++, e));
                }

                break;
            case JsonElement { ValueKind: JsonValueKind.Object } map:
                foreach (var p in map.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    items.Add((p.Name, p.Value));
                }

                break;
            case IReadOnlyList<object?> values:
                for (var n = 0; n < values.Count; n++)
                {
                    items.Add(((long)n, values[n]));
                }

                break;
            case null or JsonElement { ValueKind: JsonValueKind.Null }:
                break;
            case long count:
                for (var n = 0L; n < count; n++)
                {
                    items.Add((n, n));
                }

                break;
            default:
                throw new CliException(1, $"template: range can't iterate over {TemplateValues.Print(list)}");
        }

        if (items.Count == 0)
        {
            Run(range.Else, dot, scope.Push(), sb);
            return;
        }

        foreach (var (key, value) in items)
        {
            var inner = scope.Push();
            switch (range.Over.Declare.Count)
            {
                case 1:
                    inner.Set(range.Over.Declare[0], value);
                    break;
                case 2:
                    inner.Set(range.Over.Declare[0], key);
                    inner.Set(range.Over.Declare[1], value);
                    break;
            }

            Run(range.Body, value, inner, sb);
        }
    }

    private static object? Evaluate(Pipeline pipeline, object? dot, TemplateScope scope)
    {
        object? value = null;
        var first = true;
        foreach (var command in pipeline.Commands)
        {
            value = Call(command, dot, scope, first ? null : new Piped(value));
            first = false;
        }

        foreach (var name in pipeline.Declare)
        {
            scope.Set(name, value);
        }

        return value;
    }

    private sealed record Piped(object? Value);

    private static object? Call(List<Operand> command, object? dot, TemplateScope scope, Piped? piped)
    {
        var head = command[0];
        if (head is { Kind: OperandKind.Identifier })
        {
            var args = command.Skip(1).Select(o => Operand(o, dot, scope)).ToList();
            if (piped is not null)
            {
                args.Add(piped.Value);
            }

            return TemplateFunctions.Invoke(head.Text, args);
        }

        if (command.Count > 1 || piped is not null)
        {
            throw new CliException(1, $"template: can't give argument to non-function {head.Text}");
        }

        return Operand(head, dot, scope);
    }

    private static object? Operand(Operand operand, object? dot, TemplateScope scope) => operand.Kind switch
    {
        OperandKind.Field => TemplateValues.Field(dot, operand.Text),
        OperandKind.Variable => Variable(operand.Text, scope),
        OperandKind.String => operand.Text,
        OperandKind.Number => operand.Text.Contains('.', StringComparison.Ordinal)
            ? (object)double.Parse(operand.Text, CultureInfo.InvariantCulture)
            : long.Parse(operand.Text, CultureInfo.InvariantCulture),
        OperandKind.Bool => operand.Text == "true",
        OperandKind.Nil => null,
        OperandKind.Group => Evaluate(operand.Group!, dot, scope),
        OperandKind.Identifier => TemplateFunctions.Invoke(operand.Text, []),
        _ => null,
    };

    private static object? Variable(string text, TemplateScope scope)
    {
        var dotIndex = text.IndexOf('.', StringComparison.Ordinal);
        var name = dotIndex < 0 ? text : text[..dotIndex];
        var value = scope.Get(name);
        return dotIndex < 0 ? value : TemplateValues.Field(value, text[dotIndex..]);
    }
}
