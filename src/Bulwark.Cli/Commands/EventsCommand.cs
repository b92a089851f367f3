using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>events [--since T] [--until T] [--filter k=v] [--format F]</c>: past events in the window, then live ones until
/// <c>--until</c> (or Ctrl-C). Times are durations before now (<c>10m</c>), RFC 3339 dates or Unix timestamps.
/// </summary>
internal static class EventsCommand
{
    public static Command Create(CliContext context, string name = "events")
    {
        var since = new Option<string>("--since") { Description = "Show all events created since timestamp (e.g. 10m, 2026-12-03T10:00:00Z, 1796292000)" };
        var until = new Option<string>("--until") { Description = "Stream events until this timestamp" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output based on conditions provided (type, event, container, image, label, network, volume)", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "Format output using a Go template, or 'json'" };
        var command = new Command(name, "Get real time events from the server") { since, until, filter, format };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var now = DateTimeOffset.UtcNow;
            var from = Timestamp(result.GetValue(since), now, "--since");
            var to = Timestamp(result.GetValue(until), now, "--until");
            var template = result.GetValue(format) is { Length: > 0 } f ? GoTemplate.Parse(f.Trim() == "json" ? "{{json .}}" : f) : null;
            using var client = context.CreateClient(result);
            await client.EventsAsync(from, to, Filters.Parse(result.GetValue(filter) ?? []), async e =>
            {
                await context.Out.WriteLineAsync(template is null ? Render(e) : template.Execute(e)).ConfigureAwait(false);
                await context.Out.FlushAsync(ct).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary>docker's line: <c>TIME TYPE ACTION ACTOR-ID (k=v, …)</c>, attributes sorted by key.</summary>
    internal static string Render(JsonElement e)
    {
        var sb = new StringBuilder();
        if (e.TryGetProperty("timeNano", out var nano) && nano.TryGetInt64(out var ns) && ns > 0)
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).UtcDateTime;
            sb.Append(time.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)).Append('.')
                .Append((ns % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture)).Append("Z ");
        }

        sb.Append(Text(e, "Type")).Append(' ').Append(Text(e, "Action")).Append(' ');
        if (e.TryGetProperty("Actor", out var actor))
        {
            sb.Append(Text(actor, "ID"));
            if (actor.TryGetProperty("Attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object)
            {
                var pairs = attributes.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => p.Name + "=" + p.Value.GetString()).ToList();
                if (pairs.Count > 0)
                {
                    sb.Append(" (").Append(string.Join(", ", pairs)).Append(')');
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>A user's time as the API's Unix "seconds.nanoseconds"; null when not given.</summary>
    internal static string? Timestamp(string? value, DateTimeOffset now, string flag)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        value = value.Trim();
        if (System.Text.RegularExpressions.Regex.IsMatch(value, @"\A\d+(\.\d{1,9})?\z"))
        {
            return value;
        }

        if (TryDuration(value, out var duration))
        {
            return Unix(now - duration);
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            return Unix(date);
        }

        throw new CliException(125,
            $"invalid value \"{value}\" for {flag}: give a duration before now (10m, 1h30m), an RFC 3339 time (2026-12-03T10:00:00Z) or Unix seconds");
    }

    private static string Unix(DateTimeOffset t)
    {
        var ticks = t.UtcTicks - DateTime.UnixEpoch.Ticks;
        return (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "." +
            (ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", CultureInfo.InvariantCulture);
    }

    /// <summary>Go's time.ParseDuration for h, m, s, ms units ("1h30m", "90s", "1.5h").</summary>
    private static bool TryDuration(string value, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var matches = System.Text.RegularExpressions.Regex.Matches(value, @"(\d+(?:\.\d+)?)(ms|h|m|s)");
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != value)
        {
            return false;
        }

        foreach (System.Text.RegularExpressions.Match m in matches)
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += m.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                _ => TimeSpan.FromMilliseconds(n),
            };
        }

        return true;
    }

    private static string Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
}
