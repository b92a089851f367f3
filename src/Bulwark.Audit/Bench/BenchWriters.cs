using System.Text;
using System.Text.Json;

namespace Bulwark.Audit.Bench;

/// <summary>The bench report as a table (like docker-bench's log), as JSON findings, and as SARIF 2.1.0.</summary>
public static class BenchWriters
{
    public static string ResultText(BenchResult result) => result switch
    {
        BenchResult.Pass => "PASS",
        BenchResult.Warn => "WARN",
        BenchResult.Info => "INFO",
        _ => "NOTE",
    };

    public static string Table(BenchReport report)
    {
        var sb = new StringBuilder();
        sb.Append("CIS Docker Benchmark v1.6/v1.7 checks against ").Append(report.Endpoint).Append(" (").Append(report.Daemon).Append(")\n\n");
        var rows = report.Findings.Select(f => new[] { ResultText(f.Result), f.Control.Id, f.Target, f.Control.Title, f.Evidence }).ToList();
        var headers = new[] { "RESULT", "ID", "TARGET", "CONTROL", "EVIDENCE" };
        var widths = headers.Select((h, i) => Math.Min(i == 3 ? 60 : 40, rows.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        foreach (var row in rows.Prepend(headers))
        {
            for (int i = 0; i < row.Length; i++)
            {
                string cell = i < row.Length - 1 && row[i].Length > widths[i] ? row[i][..(widths[i] - 3)] + "..." : row[i];
                sb.Append(i == row.Length - 1 ? cell : cell.PadRight(widths[i] + 2));
            }

            sb.Append('\n');
        }

        sb.Append('\n').Append($"{report.Count(BenchResult.Pass)} PASS, {report.Count(BenchResult.Warn)} WARN, {report.Count(BenchResult.Info)} INFO, {report.Count(BenchResult.Note)} NOTE\n");
        return sb.ToString();
    }

    public static void Json(Utf8JsonWriter w, BenchReport report)
    {
        w.WriteStartObject();
        w.WriteString("benchmark", "CIS Docker Benchmark v1.6.0/v1.7.0");
        w.WriteString("endpoint", report.Endpoint);
        w.WriteString("daemon", report.Daemon);
        w.WriteStartObject("summary");
        foreach (var result in Enum.GetValues<BenchResult>())
        {
            w.WriteNumber(ResultText(result).ToLowerInvariant(), report.Count(result));
        }

        w.WriteEndObject();
        w.WriteStartArray("findings");
        foreach (var f in report.Findings)
        {
            w.WriteStartObject();
            w.WriteString("id", f.Control.Id);
            w.WriteString("title", f.Control.Title);
            w.WriteNumber("level", f.Control.Level);
            w.WriteString("result", ResultText(f.Result));
            w.WriteString("target", f.Target);
            w.WriteString("evidence", f.Evidence);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// SARIF 2.1.0: one rule per control (CIS id as ruleId), one result per finding; WARN is level "warning" kind "fail",
    /// PASS kind "pass", INFO kind "review" and NOTE kind "informational" (both level "none"). Targets are logical locations.
    /// </summary>
    public static void Sarif(Utf8JsonWriter w, BenchReport report)
    {
        w.WriteStartObject();
        w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();
        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "bulwark bench");
        w.WriteString("informationUri", "https://www.cisecurity.org/benchmark/docker");
        w.WriteStartArray("rules");
        var used = report.Findings.Select(f => f.Control).Distinct().ToList();
        foreach (var c in used)
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id);
            w.WriteString("name", "CIS-" + c.Id);
            w.WriteStartObject("shortDescription");
            w.WriteString("text", c.Title);
            w.WriteEndObject();
            w.WriteStartObject("properties");
            w.WriteNumber("cisLevel", c.Level);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("results");
        foreach (var f in report.Findings)
        {
            w.WriteStartObject();
            w.WriteString("ruleId", f.Control.Id);
            w.WriteNumber("ruleIndex", used.IndexOf(f.Control));
            w.WriteString("kind", f.Result switch { BenchResult.Pass => "pass", BenchResult.Warn => "fail", BenchResult.Info => "review", _ => "informational" });
            w.WriteString("level", f.Result == BenchResult.Warn ? "warning" : "none");
            w.WriteStartObject("message");
            w.WriteString("text", $"{ResultText(f.Result)} {f.Control.Id} {f.Control.Title}: {f.Evidence}");
            w.WriteEndObject();
            w.WriteStartArray("locations");
            w.WriteStartObject();
            w.WriteStartArray("logicalLocations");
            w.WriteStartObject();
            w.WriteString("name", f.Target);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
