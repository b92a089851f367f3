using System.CommandLine;
using Bulwark.Api.Models.System;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>system df</c> and the <c>system</c> group (df, prune, events, info).</summary>
internal static class SystemDiskCommands
{
    public static Command System(CliContext context)
    {
        var command = new Command("system", "Manage Bulwark");
        command.Subcommands.Add(DiskUsage(context));
        command.Subcommands.Add(PruneCommands.System(context));
        command.Subcommands.Add(EventsCommand.Create(context));
        command.Subcommands.Add(SystemCommands.Info(context));
        command.Subcommands.Add(DialStdioCommand.Create(context));
        return command;
    }

    private static Command DiskUsage(CliContext context)
    {
        var format = new Option<string>("--format") { Description = FormatHelp.List };
        var command = new Command("df", "Show bulwark disk usage") { format };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var df = await client.SystemDiskUsageAsync(ct).ConfigureAwait(false);
            var layout = ListFormat.Parse(result.GetValue(format))
                ?? ListFormat.Parse("table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}")!;
            await context.Out.WriteAsync(layout.Render(Rows(df), Headers)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Type"] = "TYPE", ["TotalCount"] = "TOTAL", ["Active"] = "ACTIVE", ["Size"] = "SIZE", ["Reclaimable"] = "RECLAIMABLE",
    };

    /// <summary>docker's four rows; "reclaimable" is what is not used by a container (percent of the total).</summary>
    internal static List<System.Text.Json.JsonElement> Rows(SystemDfResponse df)
    {
        var imageSize = df.Images.Sum(i => i.Size);
        var activeImages = df.Images.Where(i => i.Containers > 0).ToList();
        var imageReclaim = imageSize - activeImages.Sum(i => i.Size);
        var containerSize = df.Containers.Sum(c => c.SizeRw ?? 0);
        var runningContainers = df.Containers.Where(c => c.State is "running" or "paused" or "restarting").ToList();
        var containerReclaim = containerSize - runningContainers.Sum(c => c.SizeRw ?? 0);
        var volumeSize = df.Volumes.Sum(v => Math.Max(0, v.UsageData?.Size ?? 0));
        var activeVolumes = df.Volumes.Where(v => v.UsageData?.RefCount > 0).ToList();
        var volumeReclaim = volumeSize - activeVolumes.Sum(v => Math.Max(0, v.UsageData?.Size ?? 0));
        return
        [
            Row("Images", df.Images.Count, activeImages.Count, imageSize, imageReclaim),
            Row("Containers", df.Containers.Count, runningContainers.Count, containerSize, containerReclaim),
            Row("Local Volumes", df.Volumes.Count, activeVolumes.Count, volumeSize, volumeReclaim),
            Row("Build Cache", df.BuildCache.Count, 0, 0, 0),
        ];
    }

    private static System.Text.Json.JsonElement Row(string type, int total, int active, long size, long reclaimable)
    {
        var inv = global::System.Globalization.CultureInfo.InvariantCulture;
        var percent = size > 0 ? " (" + (reclaimable * 100 / size).ToString(inv) + "%)" : "";
        return new JsonRow()
            .Add("Active", active.ToString(inv))
            .Add("Reclaimable", HumanUnits.Size(reclaimable) + percent)
            .Add("Size", HumanUnits.Size(size))
            .Add("TotalCount", total.ToString(inv))
            .Add("Type", type)
            .Build();
    }
}
