using System.CommandLine;
using System.Text;
using Bulwark.Api.Models.Volumes;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>volume create|ls|inspect|rm|prune</c>, with docker's output.</summary>
internal static class VolumeCommands
{
    public static Command Volume(CliContext context)
    {
        var command = new Command("volume", "Manage volumes");
        command.Subcommands.Add(Create(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Inspect(context));
        command.Subcommands.Add(Remove(context));
        command.Subcommands.Add(Prune(context));
        return command;
    }

    private static Command Create(CliContext context)
    {
        var name = new Argument<string?>("VOLUME") { Arity = ArgumentArity.ZeroOrOne };
        var driver = new Option<string>("--driver", "-d") { Description = "Specify volume driver name", DefaultValueFactory = _ => "local" };
        var labels = new Option<string[]>("--label") { Description = "Set metadata for a volume", Arity = ArgumentArity.OneOrMore };
        var opts = new Option<string[]>("--opt", "-o") { Description = "Set driver specific options", Arity = ArgumentArity.OneOrMore };
        var command = new Command("create", "Create a volume") { name, driver, labels, opts };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var created = await client.VolumeCreateAsync(new VolumeCreateRequest
            {
                Name = result.GetValue(name),
                Driver = result.GetValue(driver),
                Labels = KeyValues(result.GetValue(labels), "--label"),
                DriverOpts = KeyValues(result.GetValue(opts), "--opt"),
            }, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(created.Name).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display volume names" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Provide filter values (e.g. \"dangling=true\")", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = FormatHelp.List };
        var command = new Command("ls", "List volumes") { quiet, filter, format };
        command.Aliases.Add("list");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var list = await client.VolumeListAsync(Filters.Parse(result.GetValue(filter) ?? []), ct).ConfigureAwait(false);
            if (!result.GetValue(quiet) && ListFormat.Parse(result.GetValue(format)) is { } custom)
            {
                await context.Out.WriteAsync(custom.Render(ListRows.Volumes(list.Volumes), ListRows.VolumeHeaders)).ConfigureAwait(false);
                return 0;
            }

            await context.Out.WriteAsync(Render(list.Volumes, result.GetValue(quiet))).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    internal static string Render(IReadOnlyList<VolumeDto> volumes, bool quiet)
    {
        var sorted = volumes.OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        if (quiet)
        {
            return string.Concat(sorted.Select(v => v.Name + "\n"));
        }

        var table = new TableWriter(["DRIVER", "VOLUME NAME"]);
        foreach (var v in sorted)
        {
            table.AddRow(v.Driver, v.Name);
        }

        return table.Render();
    }

    private static Command Inspect(CliContext context)
    {
        var format = new Option<string>("--format", "-f") { Description = FormatHelp.Inspect };
        var names = new Argument<string[]>("VOLUME") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Display detailed information on one or more volumes") { format, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await InspectCommand.PrintAsync(context, result.GetValue(names)!, result.GetValue(format),
                n => client.VolumeInspectRawAsync(n, ct)).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Force the removal of one or more volumes" };
        var names = new Argument<string[]>("VOLUME") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove one or more volumes") { force, names };
        command.Aliases.Add("remove");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async n =>
            {
                await client.VolumeRemoveAsync(n, result.GetValue(force), ct).ConfigureAwait(false);
                return n;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Prune(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Remove all unused volumes, not just anonymous ones" };
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var filter = new Option<string[]>("--filter") { Description = "Provide filter values (e.g. \"label=<label>\")", Arity = ArgumentArity.OneOrMore };
        var command = new Command("prune", "Remove unused local volumes") { all, force, filter };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            PruneCommands.RequireForce(result.GetValue(force), "volumes");

            var filters = new Dictionary<string, IReadOnlyList<string>>(Filters.Parse(result.GetValue(filter) ?? []), StringComparer.Ordinal);
            if (result.GetValue(all))
            {
                filters["all"] = ["true"];
            }

            using var client = context.CreateClient(result);
            var pruned = await client.VolumePruneAsync(filters, ct).ConfigureAwait(false);
            var sb = new StringBuilder();
            if (pruned.VolumesDeleted.Count > 0)
            {
                sb.Append("Deleted Volumes:\n");
                foreach (string v in pruned.VolumesDeleted)
                {
                    sb.Append(v).Append('\n');
                }

                sb.Append('\n');
            }

            sb.Append("Total reclaimed space: ").Append(HumanUnits.Size(pruned.SpaceReclaimed)).Append('\n');
            await context.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Dictionary<string, string>? KeyValues(string[]? entries, string flag)
    {
        if (entries is not { Length: > 0 })
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string e in entries)
        {
            int eq = e.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0)
            {
                throw new CliException(125, $"invalid argument \"{e}\" for \"{flag}\" flag: empty key");
            }

            map[eq < 0 ? e : e[..eq]] = eq < 0 ? "" : e[(eq + 1)..];
        }

        return map;
    }
}
