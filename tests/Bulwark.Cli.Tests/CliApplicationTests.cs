namespace Bulwark.Cli.Tests;

public sealed class CliApplicationTests
{
    [Fact]
    public void Commands_EachNameIsTheNameOfTheCommandItBuilds()
    {
        var context = new CliContext();
        foreach (var (name, create) in CliApplication.Commands)
        {
            Assert.Equal(name, create(context).Name);
        }
        Assert.Equal(CliApplication.Commands.Length, CliApplication.Commands.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("run", new[] { "run", "--rm", "busybox", "true" })]
    [InlineData("run", new[] { "-H", "unix:///tmp/x.sock", "run", "busybox" })]
    [InlineData("ps", new[] { "--host", "unix:///tmp/x.sock", "ps", "-a" })]
    [InlineData("network", new[] { "network", "ls" })]
    public void BuildRoot_ArgsNamingACommand_BuildsOnlyThatCommand(string expected, string[] args)
    {
        var root = CliApplication.BuildRoot(new CliContext(), args);

        Assert.Equal(expected, Assert.Single(root.Subcommands).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("nosuchcommand")]
    [InlineData("-H unix:///tmp/x.sock")]
    [InlineData("__complete ru")]
    public void BuildRoot_NoKnownCommand_BuildsTheWholeTree(string argLine)
    {
        var root = CliApplication.BuildRoot(new CliContext(), argLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(CliApplication.Commands.Length + 1, root.Subcommands.Count); // + the hidden completion helper
    }

    [Fact]
    public async Task RunAsync_UnknownCommand_StillNamesIt()
    {
        var context = new CliContext { Out = new StringWriter(), Error = new StringWriter() };

        int code = await CliApplication.RunAsync(context, ["nosuchcommand"], CancellationToken.None);

        Assert.NotEqual(0, code);
        Assert.Contains("nosuchcommand", context.Error.ToString(), StringComparison.Ordinal);
    }
}
