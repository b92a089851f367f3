using System.CommandLine;
using System.Text;
using Bulwark.Api.Models.Containers;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>container prune</c>, <c>image prune</c> and <c>system prune</c> (volume and network prune live with their groups).</summary>
internal static class PruneCommands
{
    /// <summary>bulwark never prompts: prune without <c>--force</c> is refused with the fix named.</summary>
    public static void RequireForce(bool force, string what)
    {
        if (!force)
        {
            throw new CliException(1, $"bulwark does not prompt: add --force (-f) to remove unused {what}");
        }
    }

    public static Command Containers(CliContext context)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var filter = new Option<string[]>("--filter") { Description = "Provide filter values (e.g. \"until=<timestamp>\")", Arity = ArgumentArity.OneOrMore };
        var command = new Command("prune", "Remove all stopped containers") { force, filter };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            RequireForce(result.GetValue(force), "containers");
            using var client = context.CreateClient(result);
            var pruned = await client.ContainerPruneAsync(Filters.Parse(result.GetValue(filter) ?? []), ct).ConfigureAwait(false);
            await context.Out.WriteAsync(Report("Deleted Containers:", pruned.ContainersDeleted ?? [], pruned.SpaceReclaimed)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Images(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Remove all unused images, not just dangling ones" };
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var filter = new Option<string[]>("--filter") { Description = "Provide filter values (e.g. \"until=<timestamp>\")", Arity = ArgumentArity.OneOrMore };
        var command = new Command("prune", "Remove unused images") { all, force, filter };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            RequireForce(result.GetValue(force), "images");
            using var client = context.CreateClient(result);
            var pruned = await client.ImagePruneAsync(ImageFilters(result.GetValue(filter), result.GetValue(all)), ct).ConfigureAwait(false);
            await context.Out.WriteAsync(ImageReport(pruned)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command System(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Remove all unused images not just dangling ones" };
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var volumes = new Option<bool>("--volumes") { Description = "Prune anonymous volumes" };
        var filter = new Option<string[]>("--filter") { Description = "Provide filter values (e.g. \"label=<key>=<value>\")", Arity = ArgumentArity.OneOrMore };
        var command = new Command("prune", "Remove unused data: stopped containers, unused networks, dangling images (and volumes with --volumes)")
        {
            all, force, volumes, filter,
        };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            RequireForce(result.GetValue(force), "data");
            var filters = Filters.Parse(result.GetValue(filter) ?? []);
            using var client = context.CreateClient(result);
            var containers = await client.ContainerPruneAsync(filters, ct).ConfigureAwait(false);
            var networks = await client.NetworkPruneAsync(filters, ct).ConfigureAwait(false);
            long reclaimed = containers.SpaceReclaimed;
            var sb = new StringBuilder();
            Append(sb, "Deleted Containers:", containers.ContainersDeleted ?? []);
            Append(sb, "Deleted Networks:", networks.NetworksDeleted);
            if (result.GetValue(volumes))
            {
                var pruned = await client.VolumePruneAsync(filters, ct).ConfigureAwait(false);
                Append(sb, "Deleted Volumes:", pruned.VolumesDeleted);
                reclaimed += pruned.SpaceReclaimed;
            }

            var images = await client.ImagePruneAsync(ImageFilters(result.GetValue(filter), result.GetValue(all)), ct).ConfigureAwait(false);
            AppendImages(sb, images);
            reclaimed += images.SpaceReclaimed;
            sb.Append("Total reclaimed space: ").Append(HumanUnits.Size(reclaimed)).Append('\n');
            await context.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Dictionary<string, IReadOnlyList<string>> ImageFilters(string[]? entries, bool all)
    {
        var filters = new Dictionary<string, IReadOnlyList<string>>(Filters.Parse(entries ?? []), StringComparer.Ordinal);
        filters["dangling"] = [all ? "false" : "true"];
        return filters;
    }

    private static string Report(string title, IReadOnlyList<string> deleted, long reclaimed)
    {
        var sb = new StringBuilder();
        Append(sb, title, deleted);
        sb.Append("Total reclaimed space: ").Append(HumanUnits.Size(reclaimed)).Append('\n');
        return sb.ToString();
    }

    private static string ImageReport(PruneResponse pruned)
    {
        var sb = new StringBuilder();
        AppendImages(sb, pruned);
        sb.Append("Total reclaimed space: ").Append(HumanUnits.Size(pruned.SpaceReclaimed)).Append('\n');
        return sb.ToString();
    }

    private static void AppendImages(StringBuilder sb, PruneResponse pruned)
    {
        var lines = (pruned.ImagesDeleted ?? [])
            .SelectMany(i => new[] { i.Untagged is { Length: > 0 } u ? "untagged: " + u : null, i.Deleted is { Length: > 0 } d ? "deleted: " + d : null })
            .OfType<string>()
            .ToList();
        Append(sb, "Deleted Images:", lines);
    }

    private static void Append(StringBuilder sb, string title, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        sb.Append(title).Append('\n');
        foreach (var line in lines)
        {
            sb.Append(line).Append('\n');
        }

        sb.Append('\n');
    }
}
