using System.Text;
using System.Text.Json;

namespace Bulwark.Cli.Output;

/// <summary>
/// <c>--format</c> for list commands as the docker CLI reads it: <c>table</c> (the default columns), <c>json</c>
/// (one JSON object per line), <c>table TEMPLATE</c> (a header row, then tab-separated cells aligned in columns), or
/// any other Go template (one rendering per row, each followed by a newline).
/// </summary>
internal sealed class ListFormat
{
    private readonly string _template;
    private readonly bool _table;

    private ListFormat(string template, bool table)
    {
        _template = template;
        _table = table;
    }

    /// <summary>Null when <paramref name="format"/> asks for the command's ordinary table.</summary>
    public static ListFormat? Parse(string? format)
    {
        if (string.IsNullOrEmpty(format) || format.Trim() == "table")
        {
            return null;
        }

        if (format.Trim() == "json")
        {
            return new ListFormat("{{json .}}", table: false);
        }

        return format.StartsWith("table ", StringComparison.Ordinal)
            ? new ListFormat(format["table ".Length..], table: true)
            : new ListFormat(format, table: false);
    }

    /// <param name="rows">One JSON object per row, keyed by the docker CLI's field names.</param>
    /// <param name="headers">Column titles of the known fields (others are titled by their upper-cased name).</param>
    public string Render(IReadOnlyList<JsonElement> rows, IReadOnlyDictionary<string, string> headers)
    {
        var template = GoTemplate.Parse(Unescape(_template));
        if (!_table)
        {
            var sb = new StringBuilder();
            foreach (var row in rows)
            {
                sb.Append(template.Execute(row)).Append('\n');
            }

            return sb.ToString();
        }

        var header = HeaderRow(rows, headers);
        var table = new TableWriter(template.Execute(header).Split('\t'));
        foreach (var row in rows)
        {
            table.AddRow(template.Execute(row).Split('\t'));
        }

        return table.Render();
    }

    /// <summary>The docker CLI turns a typed <c>\t</c> and <c>\n</c> into tab and newline.</summary>
    private static string Unescape(string template) =>
        template.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);

    private static JsonElement HeaderRow(IReadOnlyList<JsonElement> rows, IReadOnlyDictionary<string, string> headers)
    {
        var row = new JsonRow();
        var names = rows.Count > 0 ? rows[0].EnumerateObject().Select(p => p.Name).ToList() : [.. headers.Keys];
        foreach (var name in names)
        {
            row.Add(name, headers.TryGetValue(name, out var title) ? title : name.ToUpperInvariant());
        }

        return row.Build();
    }
}
