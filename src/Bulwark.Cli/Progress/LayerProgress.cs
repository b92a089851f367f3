using Bulwark.Api.Models.Streams;
using Spectre.Console;

namespace Bulwark.Cli.Progress;

/// <summary>
/// pull/push progress: on a terminal one Spectre.Console bar per layer ("a1b2c3: Downloading ━━━━  45%  1.2/2.6 MB");
/// otherwise the daemon's status lines as the docker CLI prints them without a terminal (no byte counts).
/// </summary>
internal sealed class LayerProgress
{
    private static readonly HashSet<string> Finished = new(StringComparer.Ordinal)
    {
        "Pull complete", "Already exists", "Download complete", "Pushed", "Layer already exists", "Mounted from",
    };

    private readonly CliContext _context;
    private readonly IAnsiConsole? _console;

    public LayerProgress(CliContext context, IAnsiConsole? console)
    {
        _context = context;
        _console = console;
    }

    /// <summary>Bars on a terminal, lines otherwise.</summary>
    public static LayerProgress For(CliContext context) =>
        new(context, ProgressMode.DrawBars(context, Console.IsOutputRedirected)
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) })
            : null);

    /// <summary>Runs <paramref name="operation"/>, rendering each message it reports.</summary>
    public async Task RunAsync(Func<Func<JsonMessage, Task>, Task> operation)
    {
        if (_console is null)
        {
            await operation(WriteLineAsync).ConfigureAwait(false);
            return;
        }

        var notes = new List<string>();
        await _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                await operation(m =>
                {
                    Update(ctx, tasks, notes, m);
                    return Task.CompletedTask;
                }).ConfigureAwait(false);
                foreach (var task in tasks.Values)
                {
                    task.StopTask();
                }
            }).ConfigureAwait(false);
        foreach (var note in notes)
        {
            await _context.Out.WriteLineAsync(note).ConfigureAwait(false);
        }
    }

    internal static void Update(ProgressContext ctx, Dictionary<string, ProgressTask> tasks, List<string> notes, JsonMessage m)
    {
        if (string.IsNullOrEmpty(m.Status))
        {
            return;
        }

        if (string.IsNullOrEmpty(m.Id) || m.Status.StartsWith("Pulling from", StringComparison.Ordinal))
        {
            notes.Add(string.IsNullOrEmpty(m.Id) ? m.Status : m.Id + ": " + m.Status);
            return;
        }

        if (!tasks.TryGetValue(m.Id, out var task))
        {
            tasks[m.Id] = task = ctx.AddTask(Markup.Escape(m.Id), autoStart: true, maxValue: 1);
        }

        task.Description = Markup.Escape(m.Id + ": " + m.Status);
        if (m.ProgressDetail is { Total: > 0 } detail)
        {
            task.MaxValue = detail.Total;
            task.Value = Math.Min(detail.Current, detail.Total);
        }
        else if (Finished.Any(f => m.Status.StartsWith(f, StringComparison.Ordinal)))
        {
            task.Value = task.MaxValue;
        }
    }

    private Task WriteLineAsync(JsonMessage m)
    {
        if (string.IsNullOrEmpty(m.Status) || m.ProgressDetail is { Current: > 0 })
        {
            return Task.CompletedTask;
        }

        return _context.Out.WriteLineAsync(m.Id is { Length: > 0 } id ? $"{id}: {m.Status}" : m.Status);
    }
}
