using System.Text;

namespace Bulwark.Cli.Output;

/// <summary>
/// Column output like docker's tabwriter (minimum cell width 10, padding 3, last column unpadded).
/// </summary>
internal sealed class TableWriter(IReadOnlyList<string> headers)
{
    private const int MinWidth = 10;
    private const int Padding = 3;
    private readonly List<IReadOnlyList<string>> _rows = [];

    public void AddRow(params string[] cells) => _rows.Add(cells);

    public string Render()
    {
        var widths = new int[headers.Count];
        foreach (var row in _rows.Prepend(headers))
        {
            for (var i = 0; i < row.Count - 1; i++)
            {
                widths[i] = Math.Max(widths[i], Math.Max(MinWidth, row[i].Length + Padding));
            }
        }

        var sb = new StringBuilder();
        foreach (var row in _rows.Prepend(headers))
        {
            for (var i = 0; i < row.Count; i++)
            {
                sb.Append(i < row.Count - 1 ? row[i].PadRight(widths[i]) : row[i]);
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
