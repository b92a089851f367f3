using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Bulwark.Cli.Help;

/// <summary>System.CommandLine's help, followed by an "Examples:" section for commands that have some.</summary>
internal sealed class ExamplesHelpAction(HelpAction inner) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var exit = inner.Invoke(parseResult);
        var path = CommandPath(parseResult.CommandResult.Command);
        if (CommandExamples.For(path) is { Count: > 0 } examples)
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (var example in examples)
            {
                output.WriteLine("  " + example);
            }

            output.WriteLine();
        }

        return exit;
    }

    /// <summary>"network create" for that subcommand; "" for the root.</summary>
    internal static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? s = command; s is Command c && c is not RootCommand; s = c.Parents.FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return string.Join(' ', names);
    }

    /// <summary>Puts this action on the root's help option (it is recursive, so every command's <c>--help</c> uses it).</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().First();
        if (help.Action is HelpAction defaultAction)
        {
            help.Action = new ExamplesHelpAction(defaultAction);
        }
    }
}
