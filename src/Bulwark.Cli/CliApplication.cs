using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Bulwark.Cli.Commands;
using Bulwark.Cli.Parsing;

namespace Bulwark.Cli;

/// <summary>Builds the command tree and runs one invocation; flag errors exit 125 like docker.</summary>
internal static class CliApplication
{
    private static readonly HashSet<string> InterspersedStop = new(StringComparer.Ordinal)
    {
        "run", "create", "exec", "top", "container run", "container create", "container exec", "container top",
    };

    /// <summary>Every top-level command by name (the name is checked against the built command by a unit test).</summary>
    internal static readonly (string Name, Func<CliContext, Command> Create)[] Commands =
    [
        ("run", RunCommand.CreateRun),
        ("create", RunCommand.CreateCreate),
        ("start", StartCommand.Create),
        ("ps", PsCommand.Create),
        ("logs", LogsCommand.Create),
        ("inspect", InspectCommand.Create),
        ("stop", ContainerLifecycleCommands.Stop),
        ("kill", ContainerLifecycleCommands.Kill),
        ("rm", ContainerLifecycleCommands.Remove),
        ("wait", ContainerLifecycleCommands.Wait),
        ("images", ImageCommands.Images),
        ("tag", ImageCommands.Tag),
        ("rmi", ImageCommands.Remove),
        ("load", ImageTransferCommands.Load),
        ("save", ImageTransferCommands.Save),
        ("import", ImageTransferCommands.Import),
        ("pull", RegistryCommands.Pull),
        ("push", RegistryCommands.Push),
        ("version", SystemCommands.Version),
        ("info", SystemCommands.Info),
        ("volume", VolumeCommands.Volume),
        ("exec", ExecCommand.Create),
        ("attach", AttachCommand.Create),
        ("restart", ContainerStateCommands.Restart),
        ("pause", ContainerStateCommands.Pause),
        ("unpause", ContainerStateCommands.Unpause),
        ("rename", ContainerStateCommands.Rename),
        ("update", UpdateCommand.Create),
        ("commit", CommitCommand.Create),
        ("login", LoginCommands.Login),
        ("logout", LoginCommands.Logout),
        ("top", ContainerStateCommands.Top),
        ("diff", ContainerStateCommands.Diff),
        ("export", ContainerStateCommands.Export),
        ("stats", StatsCommand.Create),
        ("port", PortCommand.Create),
        ("cp", CopyCommand.Create),
        ("history", HistoryCommand.Create),
        ("events", c => EventsCommand.Create(c)),
        ("network", NetworkCommands.Network),
        ("secret", SecretCommands.Secret),
        ("system", SystemDiskCommands.System),
        ("container", ManagementCommands.Container),
        ("image", ManagementCommands.Image),
        ("scan", ScanCommands.Scan),
        ("bench", BenchCommand.Create),
        ("tls", TlsCommands.Tls),
        ("audit", AuditCommands.Audit),
        ("isolate", IsolateCommand.Isolate),
        ("evidence", EvidenceCommand.Evidence),
        ("trust", TrustCommands.Trust),
        ("completion", Completion.CompletionCommands.Completion),
    ];

    public static RootCommand BuildRoot(CliContext context) => BuildRoot(context, null);

    /// <summary>
    /// The command tree. With <paramref name="args"/> naming a known command, only that command is built (a CLI process
    /// runs one command, and building all of them was a visible share of `run`'s start); anything else (no command, an
    /// unknown one, completion) gets the whole tree, for help and error messages.
    /// </summary>
    public static RootCommand BuildRoot(CliContext context, IReadOnlyList<string>? args)
    {
        var root = new RootCommand("bulwark: a secure-by-default container engine (Docker-compatible CLI)");
        root.Options.Add(context.Host);
        string? only = args is null ? null : CommandName(args);
        foreach (var (name, create) in Commands)
        {
            if (only is null || name == only)
            {
                root.Subcommands.Add(create(context));
            }
        }
        if (only is null)
        {
            root.Subcommands.Add(Completion.CompletionCommands.Complete(context, root));
        }
        Help.ExamplesHelpAction.Install(root);
        return root;
    }

    /// <summary>The command an argument list names, when it is one of <see cref="Commands"/> (global -H/--host skipped).</summary>
    internal static string? CommandName(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a is "-H" or "--host")
            {
                i++;
                continue;
            }
            if (a.StartsWith('-'))
            {
                return null; // --help, --version, -H=...: the whole tree
            }
            foreach (var (name, _) in Commands)
            {
                if (name == a)
                {
                    return a;
                }
            }
            return null;
        }
        return null;
    }

    /// <summary>Parses <paramref name="args"/> (with docker's "flags stop at IMAGE" rule applied).</summary>
    public static ParseResult Parse(RootCommand root, IReadOnlyList<string> args) =>
        root.Parse(ArgvNormalizer.Normalize(args, root, InterspersedStop), new ParserConfiguration { ResponseFileTokenReplacer = null });

    /// <summary>
    /// System.CommandLine takes an unknown <c>--x</c> for a positional argument; docker rejects it. Any command
    /// argument that looks like a flag and comes before <c>--</c> is reported.
    /// </summary>
    internal static string? UnknownFlag(ParseResult result)
    {
        var tokens = result.Tokens;
        var doubleDash = tokens.Count;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.DoubleDash)
            {
                doubleDash = i;
                break;
            }
        }

        foreach (var argument in result.CommandResult.Children.OfType<ArgumentResult>())
        {
            foreach (var token in argument.Tokens)
            {
                if (token.Value.Length > 1 && token.Value[0] == '-')
                {
                    var index = -1;
                    for (var i = 0; i < tokens.Count; i++)
                    {
                        if (ReferenceEquals(tokens[i], token))
                        {
                            index = i;
                            break;
                        }
                    }

                    if (index >= 0 && index < doubleDash)
                    {
                        return token.Value;
                    }
                }
            }
        }

        return null;
    }

    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) =>
        RunAsync(new CliContext(), args, cancellationToken);

    public static async Task<int> RunAsync(CliContext context, string[] args, CancellationToken cancellationToken)
    {
        var root = BuildRoot(context, args);
        var result = Parse(root, args);
        var unknown = UnknownFlag(result);
        if (result.Action is ParseErrorAction || unknown is not null)
        {
            var command = result.CommandResult.Command;
            var path = command == root ? "bulwark" : "bulwark " + command.Name;
            var messages = unknown is not null ? ["unknown flag: " + unknown] : result.Errors.Select(e => e.Message);
            foreach (var message in messages)
            {
                await context.Error.WriteLineAsync("bulwark: " + message).ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync($"See '{path} --help'.").ConfigureAwait(false);
            return 125;
        }

        return await result.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, cancellationToken)
            .ConfigureAwait(false);
    }
}
