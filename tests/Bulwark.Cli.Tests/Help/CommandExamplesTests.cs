using System.CommandLine;
using Bulwark.Cli.Help;

namespace Bulwark.Cli.Tests.Help;

public sealed class CommandExamplesTests
{
    [Fact]
    public void Examples_EveryPathIsARealCommand()
    {
        var root = CliApplication.BuildRoot(new CliContext());
        foreach (var path in CommandExamples.CommandPaths.Where(p => p.Length > 0))
        {
            Command command = root;
            foreach (var name in path.Split(' '))
            {
                command = command.Subcommands.SingleOrDefault(c => c.Name == name)
                    ?? throw new Xunit.Sdk.XunitException($"examples for \"{path}\": no command \"{name}\"");
            }
        }
    }

    /// <summary>Each example that is a plain invocation (no pipes, redirections or substitutions) parses without errors.</summary>
    [Fact]
    public void Examples_ParseWithoutErrors()
    {
        var root = CliApplication.BuildRoot(new CliContext());
        var checkedCount = 0;
        foreach (var path in CommandExamples.CommandPaths)
        {
            foreach (var example in CommandExamples.For(path)!)
            {
                var line = example.Split("  #")[0].Trim();
                if (line.IndexOfAny(['|', '>', '<', '$', '…']) >= 0 || !line.StartsWith("bulwark ", StringComparison.Ordinal))
                {
                    continue;
                }

                var result = CliApplication.Parse(root, ShellWords(line["bulwark ".Length..]));
                Assert.True(result.Errors.Count == 0 && CliApplication.UnknownFlag(result) is null,
                    $"example \"{example}\": {string.Join("; ", result.Errors.Select(e => e.Message))} {CliApplication.UnknownFlag(result)}");
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 50, $"only {checkedCount} examples were checked");
    }

    [Fact]
    public async Task Help_OfACommand_EndsWithItsExamples()
    {
        using var stdout = new StringWriter();
        var context = new CliContext { Out = stdout, Error = TextWriter.Null, GetEnvironment = _ => null };
        Assert.Equal(0, await CliApplication.RunAsync(context, ["network", "create", "--help"], CancellationToken.None));
        var text = stdout.ToString();
        Assert.Contains("Examples:\n  bulwark network create backend\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in line)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any || current.Length > 0)
                {
                    words.Add(current.ToString().Replace("\\t", "\t", StringComparison.Ordinal));
                }

                current.Clear();
                any = false;
            }
            else
            {
                current.Append(c);
            }
        }

        if (any || current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
