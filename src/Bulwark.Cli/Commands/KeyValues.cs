namespace Bulwark.Cli.Commands;

/// <summary><c>--label k=v</c> / <c>--opt k=v</c> flags as a map (a bare key maps to "").</summary>
internal static class KeyValues
{
    public static Dictionary<string, string>? Parse(string[]? entries, string flag)
    {
        if (entries is not { Length: > 0 })
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var eq = e.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0)
            {
                throw new CliException(125, $"invalid argument \"{e}\" for \"{flag}\" flag: empty key");
            }

            map[eq < 0 ? e : e[..eq]] = eq < 0 ? "" : e[(eq + 1)..];
        }

        return map;
    }
}
