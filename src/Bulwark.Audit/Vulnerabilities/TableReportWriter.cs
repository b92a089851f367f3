using System.Text;

namespace Bulwark.Audit.Vulnerabilities;

/// <summary>The human report, laid out like Trivy's table: one section per target with a severity total.</summary>
public static class TableReportWriter
{
    public static string Render(ScanReport report)
    {
        var sb = new StringBuilder();
        var groups = ReportGroups.Of(report);
        if (groups.Count == 0)
        {
            sb.Append(report.Bill.Image).Append(": no packages found (no dpkg/apk database, no Go or Rust binaries with module info)\n");
        }

        foreach (var group in groups)
        {
            sb.Append('\n').Append(group.Target).Append(" (").Append(group.Type).Append(")\n");
            sb.Append(new string('=', group.Target.Length + group.Type.Length + 3)).Append('\n');
            if (!report.DatabasePresent)
            {
                sb.Append("Packages: ").Append(group.Packages.Count).Append(" (no vulnerability database imported)\n\n");
                sb.Append(Table(["PACKAGE", "VERSION", "SOURCE", "ECOSYSTEM"],
                    group.Packages.Select(p => new[] { p.Name, p.Version, p.MatchName == p.Name && p.MatchVersion == p.Version ? "" : $"{p.MatchName} {p.MatchVersion}", p.Ecosystem })));
                continue;
            }

            var counts = Enum.GetValues<Severity>().Select(s => $"{SeverityNames.ToText(s)}: {group.Findings.Count(f => f.Severity == s)}");
            sb.Append("Total: ").Append(group.Findings.Count).Append(" (").AppendJoin(", ", counts).Append(")\n");
            if (group.Findings.Count > 0)
            {
                sb.Append('\n').Append(Table(["LIBRARY", "VULNERABILITY ID", "SEVERITY", "INSTALLED VERSION", "FIXED VERSION", "TITLE"],
                    group.Findings.Select(f => new[] { f.Package.Name, f.Id, SeverityNames.ToText(f.Severity), f.Package.Version, f.FixedVersion ?? "", Truncate(f.Title, 60) })));
            }
        }

        return sb.ToString();
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 3)] + "...";

    private static string Table(string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = headers.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var row in all)
        {
            for (int i = 0; i < row.Length; i++)
            {
                sb.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
