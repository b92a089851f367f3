using Bulwark.Api.Models.Streams;
using Bulwark.Cli.Progress;
using Spectre.Console;

namespace Bulwark.Cli.Tests.Progress;

public sealed class LayerProgressTests
{
    private static readonly JsonMessage[] Pull =
    [
        new() { Status = "Pulling from library/busybox", Id = "1" },
        new() { Status = "Downloading", Id = "a1b2c3", ProgressDetail = new ProgressDetail { Current = 500, Total = 1000 } },
        new() { Status = "Pull complete", Id = "a1b2c3" },
        new() { Status = "Digest: sha256:abc" },
    ];

    [Fact]
    public async Task Run_OnATerminal_DrawsABarPerLayerAndKeepsTheSummaryLines()
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        var context = new CliContext { Out = output, Error = TextWriter.Null, GetEnvironment = _ => null };
        await new LayerProgress(context, console).RunAsync(async report =>
        {
            foreach (var m in Pull)
            {
                await report(m);
            }
        });
        var text = output.ToString();
        Assert.Contains("a1b2c3: Pull complete", text, StringComparison.Ordinal);
        Assert.Contains("100%", text, StringComparison.Ordinal);
        Assert.Contains("Digest: sha256:abc", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Piped_PrintsPlainStatusLinesWithoutByteCounts()
    {
        using var output = new StringWriter();
        var context = new CliContext { Out = output, Error = TextWriter.Null, GetEnvironment = _ => null };
        await new LayerProgress(context, console: null).RunAsync(async report =>
        {
            foreach (var m in Pull)
            {
                await report(m);
            }
        });
        Assert.Equal("1: Pulling from library/busybox\na1b2c3: Pull complete\nDigest: sha256:abc\n", output.ToString().ReplaceLineEndings("\n"));
    }
}
