namespace Bulwark.Cli.Progress;

/// <summary>
/// Whether to draw progress bars: only when the output is a terminal (and TERM is not "dumb"); piped output gets
/// plain lines, as the docker CLI does.
/// </summary>
internal static class ProgressMode
{
    public static bool DrawBars(CliContext context, bool outputRedirected) =>
        !outputRedirected && context.GetEnvironment("TERM") is not ("dumb" or null or "") && ReferenceEquals(context.Out, Console.Out);
}
