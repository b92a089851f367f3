using Spectre.Console;

namespace Bulwark.Cli.Progress;

/// <summary>
/// load/save progress: a Spectre.Console bar of bytes moved, drawn on stderr when it is a terminal (stdout may carry
/// the data); nothing otherwise.
/// </summary>
internal static class ByteProgress
{
    /// <summary>Runs <paramref name="operation"/>, which reports the bytes moved so far through its argument.</summary>
    public static async Task RunAsync(CliContext context, string label, long? total, Func<Action<long>, Task> operation)
    {
        if (!ProgressMode.DrawBars(context, Console.IsErrorRedirected) || !ReferenceEquals(context.Error, Console.Error))
        {
            await operation(static _ => { }).ConfigureAwait(false);
            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async ctx =>
            {
                var known = total is > 0;
                var task = ctx.AddTask(Markup.Escape(label), autoStart: true, maxValue: known ? total!.Value : 1);
                task.IsIndeterminate = !known;
                long moved = 0;
                await operation(bytes =>
                {
                    moved = bytes;
                    if (known)
                    {
                        task.Value = Math.Min(bytes, task.MaxValue);
                    }
                    else
                    {
                        task.Description = Markup.Escape($"{label} {Output.HumanUnits.Size(bytes)}");
                    }
                }).ConfigureAwait(false);
                task.IsIndeterminate = false;
                task.MaxValue = Math.Max(1, known ? total!.Value : moved);
                task.Value = task.MaxValue;
                task.StopTask();
            }).ConfigureAwait(false);
    }
}
