using System.CommandLine;
using System.Text.Json;
using Bulwark.Audit;
using Bulwark.Audit.Osv;
using Bulwark.Audit.Sbom;
using Bulwark.Audit.Vulnerabilities;

namespace Bulwark.Cli.Commands;

/// <summary><c>scan IMAGE</c> (SBOM + offline OSV matching over the Docker API) and <c>scan db import FILE</c>.</summary>
internal static class ScanCommands
{
    private static readonly string[] Formats = ["table", "json", "cyclonedx", "spdx"];

    public static Command Scan(CliContext context)
    {
        var format = new Option<string>("--format", "-f") { Description = "Output format: table, json, cyclonedx or spdx", DefaultValueFactory = _ => "table" };
        var severity = new Option<string>("--severity", "-s")
        {
            Description = "Severities to report, comma-separated (UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL; default all)",
        };
        var exitCode = new Option<int>("--exit-code") { Description = "Exit code when a reported vulnerability is found (default 0)" };
        var output = new Option<string>("--output", "-o") { Description = "Write the report to a file instead of STDOUT" };
        var db = DatabaseOption();
        var image = new Argument<string>("IMAGE");
        var command = new Command("scan", "Scan an image: SBOM (dpkg, apk, rpm, Go and Rust binaries) matched against an offline OSV database")
        {
            format, severity, exitCode, output, db, image, Database(context, db),
        };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string fmt = result.GetValue(format) ?? "table";
            if (!Formats.Contains(fmt, StringComparer.Ordinal))
            {
                throw new CliException(125, $"invalid --format \"{fmt}\": use one of {string.Join(", ", Formats)}");
            }

            var severities = ParseSeverities(result.GetValue(severity));
            int code = result.GetValue(exitCode);
            var database = new OsvDatabase(result.GetValue(db) is { Length: > 0 } root ? root : OsvDatabase.DefaultRoot(context.GetEnvironment));
            if (!database.Exists)
            {
                if (code != 0)
                {
                    throw new CliException(1, $"no vulnerability database at {database.Root}: import one with 'bulwark scan db import FILE' (refusing to pass --exit-code unchecked)");
                }

                if (fmt is "table" or "json")
                {
                    await context.Error.WriteLineAsync($"bulwark: no vulnerability database at {database.Root}; listing packages only (import one with 'bulwark scan db import FILE')")
                        .ConfigureAwait(false);
                }
            }

            using var client = context.CreateClient(result);
            ScanReport report;
            try
            {
                var bill = await new ImageScanner(client).BuildSbomAsync(result.GetValue(image)!, ct).ConfigureAwait(false);
                report = ImageScanner.Match(bill, database.Exists ? database : null, severities);
            }
            catch (AuditException ex)
            {
                throw new CliException(1, "bulwark: " + ex.Message);
            }

            await WriteReportAsync(context, fmt, report, result.GetValue(output), ct).ConfigureAwait(false);
            return report.Findings.Count > 0 ? code : 0;
        }));
        return command;
    }

    private static Option<string> DatabaseOption() => new("--db")
    {
        Description = "Vulnerability database directory (default $BULWARK_SCAN_DB or ~/.cache/bulwark/osv)",
        Recursive = true,
    };

    private static Command Database(CliContext context, Option<string> db)
    {
        var file = new Argument<string>("FILE") { Description = "An OSV JSON document, a JSON array of them, a directory or a zip (e.g. osv.dev's all.zip)" };
        var import = new Command("import", "Import OSV vulnerability records into the offline database") { file };
        import.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var database = new OsvDatabase(result.GetValue(db) is { Length: > 0 } root ? root : OsvDatabase.DefaultRoot(context.GetEnvironment));
            try
            {
                var imported = await database.ImportAsync(result.GetValue(file)!, ct).ConfigureAwait(false);
                await context.Out.WriteLineAsync(
                    $"Imported {imported.RecordsRead} records ({imported.Withdrawn} withdrawn) for {imported.PackagesTouched} packages; the database at {database.Root} holds {imported.RecordsInDatabase} records")
                    .ConfigureAwait(false);
            }
            catch (AuditException ex)
            {
                throw new CliException(1, "bulwark: " + ex.Message);
            }

            return 0;
        }));

        var status = new Command("status", "Show what the offline vulnerability database holds");
        status.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var database = new OsvDatabase(result.GetValue(db) is { Length: > 0 } root ? root : OsvDatabase.DefaultRoot(context.GetEnvironment));
            if (database.ReadMetadata() is not { } metadata)
            {
                throw new CliException(1, $"bulwark: no vulnerability database at {database.Root}");
            }

            await context.Out.WriteLineAsync($"Database: {database.Root}\nUpdated:  {metadata.Updated:u}\nRecords:  {metadata.Records}").ConfigureAwait(false);
            foreach (var (ecosystem, count) in metadata.Ecosystems)
            {
                await context.Out.WriteLineAsync($"  {ecosystem}: {count}").ConfigureAwait(false);
            }

            return 0;
        }));
        return new Command("db", "Manage the offline vulnerability database") { import, status };
    }

    internal static HashSet<Severity>? ParseSeverities(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var set = new HashSet<Severity>();
        foreach (var word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (word.ToUpperInvariant() is not ("UNKNOWN" or "LOW" or "MEDIUM" or "HIGH" or "CRITICAL") || SeverityNames.Parse(word) is not { } s)
            {
                throw new CliException(125, $"invalid --severity \"{word}\": use UNKNOWN, LOW, MEDIUM, HIGH or CRITICAL, comma-separated");
            }

            set.Add(s);
        }

        return set;
    }

    private static async Task WriteReportAsync(CliContext context, string format, ScanReport report, string? path, CancellationToken ct)
    {
        byte[] bytes;
        if (format == "table")
        {
            bytes = CliContext.Utf8(TableReportWriter.Render(report));
        }
        else
        {
            using var buffer = new MemoryStream();
            await using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                var now = DateTimeOffset.UtcNow;
                switch (format)
                {
                    case "json": JsonReportWriter.Write(w, report, now); break;
                    case "cyclonedx": CycloneDxWriter.Write(w, report, now, Guid.NewGuid()); break;
                    default: SpdxWriter.Write(w, report.Bill, now, Guid.NewGuid()); break;
                }
            }

            buffer.WriteByte((byte)'\n');
            bytes = buffer.ToArray();
        }

        if (path is { Length: > 0 })
        {
            string temp = path + ".bulwark-tmp";
            await File.WriteAllBytesAsync(temp, bytes, ct).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
            return;
        }

        await context.Out.WriteAsync(System.Text.Encoding.UTF8.GetString(bytes)).ConfigureAwait(false);
        await context.Out.FlushAsync(ct).ConfigureAwait(false);
    }
}
