using Bulwark.Cli.Output;

namespace Bulwark.Cli.Tests.Output;

public sealed class TableWriterTests
{
    private static TableWriter Table()
    {
        var table = new TableWriter(["CONTAINER ID", "COMMAND", "NAMES"]);
        table.AddRow("0123456789ab", "\"sh -c 'while true; do sleep 1; done'\"", "a-rather-long-container-name");
        return table;
    }

    [Fact]
    public void Render_WithoutALimit_KeepsWholeCellsInAlignedColumns()
    {
        var lines = Table().Render(null).TrimEnd('\n').Split('\n');
        Assert.Equal(lines[0].IndexOf("NAMES", StringComparison.Ordinal), lines[1].IndexOf("a-rather-long-container-name", StringComparison.Ordinal));
        Assert.EndsWith("   a-rather-long-container-name", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("…", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NarrowTerminal_ShortensTheWidestColumnsToFit()
    {
        var lines = Table().Render(60).TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 60, $"{l.Length}: {l}"));
        Assert.StartsWith("CONTAINER ID   COMMAND   ", lines[0], StringComparison.Ordinal);
        Assert.EndsWith("NAMES", lines[0], StringComparison.Ordinal);
        Assert.Contains("…", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("0123456789ab   \"sh -c", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WideEnoughTerminal_ChangesNothing() => Assert.Equal(Table().Render(null), Table().Render(200));
}
