using System.CommandLine;
using Bulwark.Api.Models.Images;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>images</c>, <c>tag</c>, <c>rmi</c>.</summary>
internal static class ImageCommands
{
    public static Command Images(CliContext context)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all images" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output based on conditions provided", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = FormatHelp.List };
        var command = new Command("images", "List images") { all, quiet, noTrunc, filter, format };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var list = await client.ImageListAsync(result.GetValue(all), Filters.Parse(result.GetValue(filter) ?? []), ct).ConfigureAwait(false);
            if (!result.GetValue(quiet) && ListFormat.Parse(result.GetValue(format)) is { } custom)
            {
                await context.Out.WriteAsync(custom.Render(ListRows.Images(list, result.GetValue(noTrunc), DateTimeOffset.UtcNow), ListRows.ImageHeaders))
                    .ConfigureAwait(false);
                return 0;
            }

            await context.Out.WriteAsync(Render(list, result.GetValue(quiet), result.GetValue(noTrunc), DateTimeOffset.UtcNow)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    internal static string Render(IReadOnlyList<ImageSummary> images, bool quiet, bool noTrunc, DateTimeOffset now)
    {
        string Id(string id) => noTrunc ? id : PsCommand.ShortId(id);
        if (quiet)
        {
            return string.Concat(images.Select(i => Id(i.Id)).Distinct(StringComparer.Ordinal).Select(i => i + "\n"));
        }

        var table = new TableWriter(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]);
        foreach (var image in images)
        {
            var tags = image.RepoTags.Where(t => t != "<none>:<none>").ToList();
            if (tags.Count == 0)
            {
                tags.Add("");
            }

            foreach (var reference in tags)
            {
                var (repo, tag) = SplitReference(reference);
                table.AddRow(repo, tag, Id(image.Id), HumanUnits.Ago(image.Created, now), HumanUnits.Size(image.Size));
            }
        }

        return table.Render();
    }

    /// <summary><c>localhost:5000/a:t</c> → (<c>localhost:5000/a</c>, <c>t</c>); empty → (&lt;none&gt;, &lt;none&gt;).</summary>
    internal static (string Repository, string Tag) SplitReference(string reference)
    {
        if (reference.Length == 0)
        {
            return ("<none>", "<none>");
        }

        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }

    public static Command Tag(CliContext context)
    {
        var source = new Argument<string>("SOURCE_IMAGE[:TAG]");
        var target = new Argument<string>("TARGET_IMAGE[:TAG]");
        var command = new Command("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE") { source, target };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var (repo, tag) = SplitReference(result.GetValue(target)!);
            using var client = context.CreateClient(result);
            await client.ImageTagAsync(result.GetValue(source)!, repo, tag, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Remove(CliContext context)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Force removal of the image" };
        var names = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("rmi", "Remove one or more images") { force, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                var items = await client.ImageRemoveAsync(name, result.GetValue(force), ct).ConfigureAwait(false);
                var lines = items.Select(i => i.Untagged is not null ? "Untagged: " + i.Untagged : "Deleted: " + i.Deleted);
                return string.Join('\n', lines);
            }).ConfigureAwait(false);
        }));
        return command;
    }
}
