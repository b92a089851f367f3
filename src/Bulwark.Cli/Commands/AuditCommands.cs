using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Api.Models.Audit;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>audit ls</c> (the daemon's audit log, filtered) and <c>audit verify</c> (exit 1 naming the first bad entry).</summary>
internal static class AuditCommands
{
    public static Command Audit(CliContext context)
    {
        var command = new Command("audit", "Read and verify bulwarkd's tamper-evident audit log (admin only)");
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Verify(context));
        return command;
    }

    private static Command List(CliContext context)
    {
        var since = new Option<string>("--since") { Description = "Only entries since a time: RFC 3339, unix seconds, or a duration ago (10m, 2h)" };
        var user = new Option<string>("--user") { Description = "Only entries of this identity (a user name, uid:N or cert:CN)" };
        var action = new Option<string>("--action") { Description = "Only entries of this action, e.g. container.create" };
        var format = new Option<string>("--format") { Description = "\"json\": one JSON entry per line" };
        var command = new Command("ls", "List audit entries (state-changing requests and denials), oldest first") { since, user, action, format };
        command.Aliases.Add("list");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string? sinceValue = result.GetValue(since) is { Length: > 0 } s ? ToRfc3339(s, DateTimeOffset.UtcNow) : null;
            using var client = context.CreateClient(result);
            var entries = await client.AuditListAsync(sinceValue, result.GetValue(user), result.GetValue(action), ct).ConfigureAwait(false);
            if (result.GetValue(format) == "json")
            {
                foreach (var e in entries)
                {
                    await context.Out.WriteLineAsync(JsonSerializer.Serialize(e, AuditJsonContext.Default.AuditEntry)).ConfigureAwait(false);
                }
                return 0;
            }
            var table = new TableWriter(["SEQ", "TIME", "IDENTITY", "ROLE", "ACTION", "TARGET", "OUTCOME"]);
            foreach (var e in entries)
            {
                table.AddRow(e.Seq.ToString(CultureInfo.InvariantCulture), e.Time, e.Identity ?? "", e.Role ?? "-", e.Action ?? "",
                    e.Target ?? "", e.Outcome + (e.Status is int st ? " " + st.ToString(CultureInfo.InvariantCulture) : ""));
            }
            await context.Out.WriteAsync(table.Render()).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var command = new Command("verify", "Check the audit log's hash chain and seals; exit 1 naming the first bad entry");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var v = await client.AuditVerifyAsync(ct).ConfigureAwait(false);
            if (v.FirstBad is { } bad)
            {
                string seq = bad.Seq is long n ? $" (seq {n})" : "";
                await context.Error.WriteLineAsync($"audit log FAILED verification: {bad.File} line {bad.Line}{seq}: {bad.Reason}").ConfigureAwait(false);
                return 1;
            }
            await context.Out.WriteLineAsync(
                $"audit log OK: {v.Entries} entries in {v.Files} file(s), {v.Seals} seals, sealed up to seq {v.LastSealedSeq}, {v.Unsealed} entries after the last seal")
                .ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary>RFC 3339 and unix seconds pass through; a duration (30s, 10m, 2h, 1d) means that long before <paramref name="now"/>.</summary>
    internal static string ToRfc3339(string value, DateTimeOffset now)
    {
        if (value.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return value;
        }
        if (value.Length > 1 && double.TryParse(value[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n))
        {
            TimeSpan? ago = value[^1] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            };
            if (ago is { } a)
            {
                return (now - a).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            }
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        }
        throw new CliException(125, $"invalid --since \"{value}\": use RFC 3339 (2026-12-03T10:00:00Z), unix seconds, or a duration (10m, 2h)");
    }
}
