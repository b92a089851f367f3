namespace Bulwark.Cli.Output;

/// <summary>Turns template text into <see cref="TemplateNode"/>s; a malformed template is a CliException (exit 1).</summary>
internal static class TemplateParser
{
    public static List<TemplateNode> Parse(string template)
    {
        var items = Split(template);
        var position = 0;
        var nodes = ParseList(items, ref position, out var stop);
        if (stop is not null)
        {
            throw Error($"unexpected {{{{{stop}}}}}");
        }

        return nodes;
    }

    /// <summary>Text pieces (Action null) and action bodies (Text null), trim markers applied.</summary>
    private static List<(string? Text, string? Action)> Split(string template)
    {
        var items = new List<(string? Text, string? Action)>();
        var pos = 0;
        var trimNext = false;
        while (pos <= template.Length)
        {
            var open = template.IndexOf("{{", pos, StringComparison.Ordinal);
            var literal = open < 0 ? template[pos..] : template[pos..open];
            if (trimNext)
            {
                literal = literal.TrimStart();
            }

            if (open < 0)
            {
                if (literal.Length > 0)
                {
                    items.Add((literal, null));
                }

                break;
            }

            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw Error($"unclosed action in \"{template}\"");
            }

            var inner = template[(open + 2)..close];
            if (inner.StartsWith("- ", StringComparison.Ordinal) || inner == "-")
            {
                literal = literal.TrimEnd();
                inner = inner[1..];
            }

            trimNext = inner.EndsWith(" -", StringComparison.Ordinal);
            if (trimNext)
            {
                inner = inner[..^2];
            }

            if (literal.Length > 0)
            {
                items.Add((literal, null));
            }

            inner = inner.Trim();
            if (!(inner.StartsWith("/*", StringComparison.Ordinal) && inner.EndsWith("*/", StringComparison.Ordinal)))
            {
                items.Add((null, inner));
            }

            pos = close + 2;
        }

        return items;
    }

    private static List<TemplateNode> ParseList(List<(string? Text, string? Action)> items, ref int position, out string? stop)
    {
        var nodes = new List<TemplateNode>();
        while (position < items.Count)
        {
            var (text, action) = items[position++];
            if (text is not null)
            {
                nodes.Add(new TextNode(text));
                continue;
            }

            var (keyword, rest) = Keyword(action!);
            switch (keyword)
            {
                case "end":
                case "else":
                    stop = action;
                    return nodes;
                case "if":
                case "with":
                case "range":
                    nodes.Add(ParseBlock(keyword, rest, items, ref position));
                    break;
                default:
                    if (action!.Length == 0)
                    {
                        throw Error("missing value for command");
                    }

                    nodes.Add(new ActionNode(ParsePipeline(action)));
                    break;
            }
        }

        stop = null;
        return nodes;
    }

    private static TemplateNode ParseBlock(string keyword, string rest, List<(string? Text, string? Action)> items, ref int position)
    {
        if (rest.Length == 0)
        {
            throw Error($"missing value for {keyword}");
        }

        var pipeline = ParsePipeline(rest);
        var body = ParseList(items, ref position, out var stop);
        var elseNodes = new List<TemplateNode>();
        if (stop is null)
        {
            throw Error($"unexpected EOF: {{{{{keyword}}}}} has no {{{{end}}}}");
        }

        var (stopKeyword, stopRest) = Keyword(stop);
        if (stopKeyword == "else")
        {
            if (stopRest.Length > 0)
            {
                // {{else if X}} / {{else with X}}: a nested block that shares our {{end}}.
                var (nested, nestedRest) = Keyword(stopRest);
                if (nested is not ("if" or "with"))
                {
                    throw Error($"unexpected \"{stopRest}\" after else");
                }

                elseNodes.Add(ParseBlock(nested, nestedRest, items, ref position));
            }
            else
            {
                elseNodes = ParseList(items, ref position, out var end);
                if (end is null || Keyword(end).Keyword != "end")
                {
                    throw Error($"unexpected EOF: {{{{{keyword}}}}} has no {{{{end}}}}");
                }
            }
        }

        return keyword switch
        {
            "if" => new IfNode(pipeline, body, elseNodes),
            "with" => new WithNode(pipeline, body, elseNodes),
            _ => new RangeNode(pipeline, body, elseNodes),
        };
    }

    private static (string Keyword, string Remainder) Keyword(string action)
    {
        var space = action.IndexOfAny([' ', '\t', '\n']);
        return space < 0 ? (action, "") : (action[..space], action[(space + 1)..].Trim());
    }

    internal static Pipeline ParsePipeline(string text)
    {
        var tokens = Tokenize(text);
        var declare = new List<string>();
        var assign = tokens.IndexOf(":=");
        if (assign < 0)
        {
            assign = tokens.IndexOf("=");
        }

        if (assign > 0)
        {
            declare.AddRange(tokens.Take(assign).Where(t => t != ",").Select(t => t.TrimEnd(',')));
            if (declare.Count is 0 or > 2 || declare.Any(d => !d.StartsWith('$')))
            {
                throw Error($"bad variable declaration in \"{text}\"");
            }

            tokens = tokens.Skip(assign + 1).ToList();
        }

        var commands = new List<List<Operand>> { new() };
        foreach (var token in tokens)
        {
            if (token == "|")
            {
                commands.Add([]);
                continue;
            }

            commands[^1].Add(ToOperand(token));
        }

        if (commands.Any(c => c.Count == 0))
        {
            throw Error($"missing command in \"{text}\"");
        }

        return new Pipeline(commands, declare);
    }

    private static Operand ToOperand(string token)
    {
        if (token.StartsWith('('))
        {
            return new Operand(OperandKind.Group, token, ParsePipeline(token[1..^1]));
        }

        if (token.StartsWith('"') || token.StartsWith('`'))
        {
            return new Operand(OperandKind.String, Unquote(token));
        }

        if (token.StartsWith('.'))
        {
            return new Operand(OperandKind.Field, token);
        }

        if (token.StartsWith('$'))
        {
            return new Operand(OperandKind.Variable, token);
        }

        if (token is "true" or "false")
        {
            return new Operand(OperandKind.Bool, token);
        }

        if (token == "nil")
        {
            return new Operand(OperandKind.Nil, token);
        }

        if (char.IsDigit(token[0]) || (token[0] == '-' && token.Length > 1 && char.IsDigit(token[1])))
        {
            return new Operand(OperandKind.Number, token);
        }

        return new Operand(OperandKind.Identifier, token);
    }

    private static List<string> Tokenize(string action)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < action.Length)
        {
            var c = action[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c == '"' || c == '`')
            {
                i++;
                while (i < action.Length && action[i] != c)
                {
                    i += c == '"' && action[i] == '\\' ? 2 : 1;
                }

                if (i >= action.Length)
                {
                    throw Error($"unterminated quoted string in \"{action}\"");
                }

                i++;
            }
            else if (c == '(')
            {
                var depth = 0;
                do
                {
                    depth += action[i] == '(' ? 1 : action[i] == ')' ? -1 : 0;
                    i++;
                }
                while (i < action.Length && depth > 0);
                if (depth != 0)
                {
                    throw Error($"unclosed left paren in \"{action}\"");
                }
            }
            else if (c == '|' || c == ',')
            {
                i++;
            }
            else if (c == ':' && i + 1 < action.Length && action[i + 1] == '=')
            {
                i += 2;
            }
            else
            {
                while (i < action.Length && !char.IsWhiteSpace(action[i]) && action[i] is not ('|' or '(' or ')' or ','))
                {
                    i++;
                }
            }

            tokens.Add(action[start..i]);
        }

        return tokens;
    }

    private static string Unquote(string token)
    {
        if (token[0] == '`')
        {
            return token[1..^1];
        }

        var sb = new System.Text.StringBuilder();
        for (var i = 1; i < token.Length - 1; i++)
        {
            if (token[i] == '\\' && i + 1 < token.Length - 1)
            {
                i++;
                sb.Append(token[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => token[i] });
            }
            else
            {
                sb.Append(token[i]);
            }
        }

        return sb.ToString();
    }

    private static CliException Error(string message) => new(1, "template parsing error: " + message);
}
