using Spectre.Console;

namespace Bulwark.Cli.Progress;

/// <summary>A Spectre.Console spinner on stderr while a long wait runs (stop, restart), only when stderr is a terminal.</summary>
internal static class WaitSpinner
{
    public static async Task<T> RunAsync<T>(CliContext context, string label, Func<Task<T>> operation)
    {
        if (!ProgressMode.DrawBars(context, Console.IsErrorRedirected) || !ReferenceEquals(context.Error, Console.Error))
        {
            return await operation().ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        return await console.Status().Spinner(Spinner.Known.Line).StartAsync(Markup.Escape(label), _ => operation()).ConfigureAwait(false);
    }
}
