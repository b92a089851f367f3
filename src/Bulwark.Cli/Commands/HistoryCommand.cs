using System.CommandLine;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>history [-q] [--no-trunc] [-H=false] [--format F] IMAGE</c>: an image's layers, newest first.</summary>
internal static class HistoryCommand
{
    private static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ID"] = "IMAGE", ["CreatedSince"] = "CREATED", ["CreatedAt"] = "CREATED AT", ["CreatedBy"] = "CREATED BY", ["Size"] = "SIZE",
        ["Comment"] = "COMMENT",
    };

    public static Command Create(CliContext context)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var human = new Option<bool>("--human", "-H") { Description = "Print sizes and dates in human readable format", DefaultValueFactory = _ => true };
        var format = new Option<string>("--format") { Description = FormatHelp.List };
        var image = new Argument<string>("IMAGE");
        var command = new Command("history", "Show the history of an image") { quiet, noTrunc, human, format, image };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var history = await client.ImageHistoryAsync(result.GetValue(image)!, ct).ConfigureAwait(false);
            var trunc = !result.GetValue(noTrunc);
            var isHuman = result.GetValue(human);
            var now = DateTimeOffset.UtcNow;
            string Id(string id) => id is "<missing>" or "" ? "<missing>" : trunc ? PsCommand.ShortId(id) : id;
            if (result.GetValue(quiet))
            {
                await context.Out.WriteAsync(string.Concat(history.Select(h => Id(h.Id) + "\n"))).ConfigureAwait(false);
                return 0;
            }

            var rows = history.Select(h => new JsonRow()
                .Add("Comment", h.Comment)
                .Add("CreatedAt", DateTimeOffset.FromUnixTimeSeconds(h.Created).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture))
                .Add("CreatedBy", trunc ? HumanUnits.Ellipsis(h.CreatedBy, 45) : h.CreatedBy)
                .Add("CreatedSince", isHuman ? HumanUnits.Ago(h.Created, now) : h.Created.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add("ID", Id(h.Id))
                .Add("Size", isHuman ? HumanUnits.Size(h.Size) : h.Size.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Build()).ToList();
            var custom = ListFormat.Parse(result.GetValue(format))
                ?? ListFormat.Parse("table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}")!;
            await context.Out.WriteAsync(custom.Render(rows, Headers)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
