using System.CommandLine;

namespace Bulwark.Cli.Tests.Parsing;

public sealed class ArgvNormalizerGroupTests
{
    [Theory]
    [InlineData("exec", "web", "ls", "-la")]
    [InlineData("container", "exec", "web", "ls", "-la")]
    [InlineData("exec", "-u", "0", "web", "ls", "-la")]
    [InlineData("container", "exec", "-it", "web", "ls", "-la")]
    public void Parse_FlagsAfterTheContainer_BelongToTheCommand(params string[] args)
    {
        var root = CliApplication.BuildRoot(new CliContext());
        var result = CliApplication.Parse(root, args);
        Assert.Empty(result.Errors);
        Assert.Null(CliApplication.UnknownFlag(result));
        var command = result.CommandResult.Command;
        Assert.Equal("exec", command.Name);
        Assert.Equal(["ls", "-la"], result.GetValue((Argument<string[]>)command.Arguments.Single(a => a.Name == "COMMAND"))!);
    }

    [Fact]
    public void Parse_GroupWithoutSuchCommand_IsLeftAlone()
    {
        var root = CliApplication.BuildRoot(new CliContext());
        var result = CliApplication.Parse(root, ["network", "create", "--subnet", "10.1.0.0/24", "net", "--internal"]);
        Assert.Empty(result.Errors);
        Assert.True(result.GetValue<bool>("--internal"));
    }
}
