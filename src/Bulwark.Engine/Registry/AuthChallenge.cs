namespace Bulwark.Engine.Registry;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge of a registry: <c>Bearer realm="…",service="…",scope="…"</c> or
/// <c>Basic realm="…"</c>. Parameter names are case-insensitive; values may be quoted (with backslash escapes) or bare tokens.
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Parameters.TryGetValue("realm", out var v) ? v : null;

    public string? Service => Parameters.TryGetValue("service", out var v) ? v : null;

    public string? Scope => Parameters.TryGetValue("scope", out var v) ? v : null;

    /// <summary>Parses one challenge; null when the header is empty or malformed.</summary>
    public static AuthChallenge? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        string h = header.Trim();
        int i = 0;
        while (i < h.Length && IsTokenChar(h[i]))
        {
            i++;
        }

        if (i == 0)
        {
            return null;
        }

        string scheme = h[..i];
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (i < h.Length)
        {
            while (i < h.Length && (h[i] == ' ' || h[i] == ',' || h[i] == '\t'))
            {
                i++;
            }

            int nameStart = i;
            while (i < h.Length && IsTokenChar(h[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                break;
            }

            string name = h[nameStart..i];
            while (i < h.Length && h[i] == ' ')
            {
                i++;
            }

            if (i >= h.Length || h[i] != '=')
            {
                return null;
            }

            i++;
            while (i < h.Length && h[i] == ' ')
            {
                i++;
            }

            string value;
            if (i < h.Length && h[i] == '"')
            {
                i++;
                var sb = new System.Text.StringBuilder();
                bool closed = false;
                while (i < h.Length)
                {
                    char c = h[i++];
                    if (c == '\\' && i < h.Length)
                    {
                        sb.Append(h[i++]);
                    }
                    else if (c == '"')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        sb.Append(c);
                    }
                }

                if (!closed)
                {
                    return null;
                }

                value = sb.ToString();
            }
            else
            {
                int vs = i;
                while (i < h.Length && h[i] != ',' && h[i] != ' ')
                {
                    i++;
                }

                value = h[vs..i];
            }

            parameters[name] = value;
        }

        return new AuthChallenge(scheme, parameters);
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '!' or '#' or '$' or '%' or '&'
        or '\'' or '*' or '+' or '^' or '`' or '|' or '~';
}
