using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Bulwark.Client;
using Bulwark.Client.Streams;

namespace Bulwark.Cli.Commands;

/// <summary><c>logs [-f] [--tail N] [-t] [--since T] CONTAINER</c>.</summary>
internal static partial class LogsCommand
{
    public static Command Create(CliContext context)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Follow log output" };
        var tail = new Option<string>("--tail", "-n") { Description = "Number of lines to show from the end of the logs (default \"all\")" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Show timestamps" };
        var since = new Option<string>("--since") { Description = "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)" };
        var container = new Argument<string>("CONTAINER");
        var command = new Command("logs", "Fetch the logs of a container") { follow, tail, timestamps, since, container };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var sinceValue = result.GetValue(since) is { Length: > 0 } s ? ParseSince(s, DateTimeOffset.UtcNow) : null;
            using var client = context.CreateClient(result);
            var inspect = await client.ContainerInspectAsync(result.GetValue(container)!, ct).ConfigureAwait(false);
            using var response = await client.ContainerLogsAsync(inspect.Id, new LogsOptions
            {
                Follow = result.GetValue(follow),
                Tail = result.GetValue(tail) is { Length: > 0 } t ? t : "all",
                Timestamps = result.GetValue(timestamps),
                Since = sinceValue,
            }, ct).ConfigureAwait(false);
            var stdout = context.OpenStdout();
            if (inspect.Config.Tty)
            {
                await response.Body.CopyToAsync(stdout, ct).ConfigureAwait(false);
            }
            else
            {
                await StdCopyDemultiplexer.CopyAsync(response.Body, stdout, context.OpenStderr(), ct).ConfigureAwait(false);
            }

            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary>Unix seconds for <c>--since</c>: a number, a Go duration (<c>1h30m</c>) before now, or a timestamp.</summary>
    internal static string ParseSince(string value, DateTimeOffset now)
    {
        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
        {
            return value;
        }

        var m = DurationPattern().Match(value);
        if (m.Success && value.Length > 0)
        {
            var total = TimeSpan.Zero;
            foreach (Capture c in m.Groups["part"].Captures)
            {
                var part = c.Value;
                var unitStart = part.IndexOfAny(['h', 'm', 's', 'u', 'n', 'µ']);
                var number = double.Parse(part[..unitStart], CultureInfo.InvariantCulture);
                total += part[unitStart..] switch
                {
                    "h" => TimeSpan.FromHours(number),
                    "m" => TimeSpan.FromMinutes(number),
                    "s" => TimeSpan.FromSeconds(number),
                    "ms" => TimeSpan.FromMilliseconds(number),
                    _ => TimeSpan.Zero,
                };
            }

            return (now - total).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        throw new CliException(1, $"invalid value for \"since\": failed to parse value as time or duration: \"{value}\"");
    }

    [GeneratedRegex(@"^(?<part>[0-9]+(?:\.[0-9]+)?(?:h|ms|m|s|us|µs|ns))+$")]
    private static partial Regex DurationPattern();
}
