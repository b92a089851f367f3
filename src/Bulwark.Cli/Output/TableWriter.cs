using System.Text;

namespace Bulwark.Cli.Output;

/// <summary>
/// Column output like docker's tabwriter (minimum cell width 10, padding 3, last column unpadded). On a terminal a
/// table wider than the window is narrowed to fit: the widest columns are shortened first and cut cells end in "…".
/// Piped output is never narrowed (scripts get whole values).
/// </summary>
internal sealed class TableWriter(IReadOnlyList<string> headers)
{
    private const int MinWidth = 10;
    private const int Padding = 3;
    private readonly List<IReadOnlyList<string>> _rows = [];

    /// <summary>The width to fit, or null for none: the terminal's columns when stdout is a terminal.</summary>
    internal static Func<int?> TerminalWidth { get; set; } = () => Console.IsOutputRedirected ? null : Console.WindowWidth;

    public void AddRow(params string[] cells) => _rows.Add(cells);

    public string Render() => Render(TerminalWidth());

    internal string Render(int? maxWidth)
    {
        var widths = new int[headers.Count];
        foreach (var row in _rows.Prepend(headers))
        {
            for (var i = 0; i < row.Count; i++)
            {
                widths[i] = Math.Max(widths[i], i < row.Count - 1 ? Math.Max(MinWidth, row[i].Length + Padding) : row[i].Length);
            }
        }

        var cut = maxWidth is > 0 && Fit(widths, Floors(), maxWidth.Value);
        var sb = new StringBuilder();
        foreach (var row in _rows.Prepend(headers))
        {
            for (var i = 0; i < row.Count; i++)
            {
                var last = i == row.Count - 1;
                var cell = cut ? HumanUnits.Ellipsis(row[i], last ? widths[i] : widths[i] - Padding) : row[i];
                sb.Append(last ? cell : cell.PadRight(widths[i]));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>How narrow each column may get: its header stays whole.</summary>
    private int[] Floors() =>
        [.. headers.Select((h, i) => i < headers.Count - 1 ? Math.Max(MinWidth, h.Length + Padding) : Math.Max(MinWidth - Padding, h.Length))];

    /// <summary>
    /// Shrinks the widest column that is above its floor one character at a time until the table fits (or every
    /// column is at its floor); false when nothing had to change.
    /// </summary>
    private static bool Fit(int[] widths, int[] floors, int maxWidth)
    {
        var changed = false;
        while (widths.Sum() > maxWidth)
        {
            var widest = -1;
            for (var i = 0; i < widths.Length; i++)
            {
                if (widths[i] > floors[i] && (widest < 0 || widths[i] > widths[widest]))
                {
                    widest = i;
                }
            }

            if (widest < 0)
            {
                break;
            }

            widths[widest]--;
            changed = true;
        }

        return changed;
    }
}
