using System.Collections;
using System.CommandLine;
using System.Text.Json;
using Bulwark.Audit.Bench;

namespace Bulwark.Cli.Commands;

/// <summary><c>bench</c>: CIS Docker Benchmark checks against the endpoint given with <c>-H</c> (Bulwark or dockerd).</summary>
internal static class BenchCommand
{
    private static readonly string[] Formats = ["table", "json", "sarif"];

    public static Command Create(CliContext context)
    {
        var format = new Option<string>("--format", "-f") { Description = "Output format: table, json or sarif (SARIF 2.1.0)", DefaultValueFactory = _ => "table" };
        var output = new Option<string>("--output", "-o") { Description = "Write the report to a file instead of STDOUT" };
        var exitCode = new Option<int>("--exit-code") { Description = "Exit code when any control is WARN (default 0)" };
        var command = new Command("bench", "Check the daemon, its files and running containers against the CIS Docker Benchmark") { format, output, exitCode };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string fmt = result.GetValue(format) ?? "table";
            if (!Formats.Contains(fmt, StringComparer.Ordinal))
            {
                throw new CliException(125, $"invalid --format \"{fmt}\": use one of {string.Join(", ", Formats)}");
            }

            using var client = context.CreateClient(result);
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            {
                environment[(string)e.Key] = e.Value as string ?? "";
            }

            var report = await new BenchRunner(client).RunAsync(environment, ct).ConfigureAwait(false);
            string text;
            if (fmt == "table")
            {
                text = BenchWriters.Table(report);
            }
            else
            {
                using var buffer = new MemoryStream();
                await using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
                {
                    if (fmt == "json")
                    {
                        BenchWriters.Json(w, report);
                    }
                    else
                    {
                        BenchWriters.Sarif(w, report);
                    }
                }

                text = System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
            }

            if (result.GetValue(output) is { Length: > 0 } path)
            {
                string temp = path + ".bulwark-tmp";
                await File.WriteAllTextAsync(temp, text, ct).ConfigureAwait(false);
                File.Move(temp, path, overwrite: true);
            }
            else
            {
                await context.Out.WriteAsync(text).ConfigureAwait(false);
            }

            return report.Count(BenchResult.Warn) > 0 ? result.GetValue(exitCode) : 0;
        }));
        return command;
    }
}
