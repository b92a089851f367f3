using System.CommandLine;
using Bulwark.Api.Models.Containers;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>ps [-a] [-q] [--no-trunc] [--filter k=v] [--format T]</c>.</summary>
internal static class PsCommand
{
    public static Command Create(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all containers (default shows just running)" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display container IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output based on conditions provided (key=value)", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = FormatHelp.List };
        var command = new Command("ps", "List containers") { all, quiet, noTrunc, filter, format };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var filters = Filters.Parse(result.GetValue(filter) ?? []);
            using var client = context.CreateClient(result);
            var list = await client.ContainerListAsync(result.GetValue(all), filters, ct).ConfigureAwait(false);
            if (!result.GetValue(quiet) && ListFormat.Parse(result.GetValue(format)) is { } custom)
            {
                await context.Out.WriteAsync(custom.Render(ListRows.Containers(list, result.GetValue(noTrunc), DateTimeOffset.UtcNow), ListRows.ContainerHeaders))
                    .ConfigureAwait(false);
                return 0;
            }

            await context.Out.WriteAsync(Render(list, result.GetValue(quiet), result.GetValue(noTrunc), DateTimeOffset.UtcNow)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    internal static string Render(IReadOnlyList<ContainerSummary> list, bool quiet, bool noTrunc, DateTimeOffset now)
    {
        if (quiet)
        {
            return string.Concat(list.Select(c => (noTrunc ? c.Id : ShortId(c.Id)) + "\n"));
        }

        var table = new TableWriter(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]);
        foreach (var c in list)
        {
            var names = c.Names.Select(n => n.TrimStart('/')).ToList();
            var shown = noTrunc ? string.Join(',', names) : names.FirstOrDefault(n => !n.Contains('/', StringComparison.Ordinal)) ?? "";
            table.AddRow(
                noTrunc ? c.Id : ShortId(c.Id),
                c.Image,
                HumanUnits.Quote(noTrunc ? c.Command : HumanUnits.Ellipsis(c.Command, 20)),
                HumanUnits.Ago(c.Created, now),
                c.Status,
                Output.PortsText.Render(c.Ports),
                shown);
        }

        return table.Render();
    }

    internal static string ShortId(string id)
    {
        var hex = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
        return hex.Length > 12 ? hex[..12] : hex;
    }
}
