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

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("bulwark: a secure-by-default container engine (Docker-compatible CLI)");
        root.Options.Add(context.Host);
        root.Subcommands.Add(RunCommand.CreateRun(context));
        root.Subcommands.Add(RunCommand.CreateCreate(context));
        root.Subcommands.Add(StartCommand.Create(context));
        root.Subcommands.Add(PsCommand.Create(context));
        root.Subcommands.Add(LogsCommand.Create(context));
        root.Subcommands.Add(InspectCommand.Create(context));
        root.Subcommands.Add(ContainerLifecycleCommands.Stop(context));
        root.Subcommands.Add(ContainerLifecycleCommands.Kill(context));
        root.Subcommands.Add(ContainerLifecycleCommands.Remove(context));
        root.Subcommands.Add(ContainerLifecycleCommands.Wait(context));
        root.Subcommands.Add(ImageCommands.Images(context));
        root.Subcommands.Add(ImageCommands.Tag(context));
        root.Subcommands.Add(ImageCommands.Remove(context));
        root.Subcommands.Add(ImageTransferCommands.Load(context));
        root.Subcommands.Add(ImageTransferCommands.Save(context));
        root.Subcommands.Add(ImageTransferCommands.Import(context));
        root.Subcommands.Add(RegistryCommands.Pull(context));
        root.Subcommands.Add(RegistryCommands.Push(context));
        root.Subcommands.Add(SystemCommands.Version(context));
        root.Subcommands.Add(SystemCommands.Info(context));
        root.Subcommands.Add(VolumeCommands.Volume(context));
        root.Subcommands.Add(ExecCommand.Create(context));
        root.Subcommands.Add(AttachCommand.Create(context));
        root.Subcommands.Add(ContainerStateCommands.Restart(context));
        root.Subcommands.Add(ContainerStateCommands.Pause(context));
        root.Subcommands.Add(ContainerStateCommands.Unpause(context));
        root.Subcommands.Add(ContainerStateCommands.Rename(context));
        root.Subcommands.Add(UpdateCommand.Create(context));
        root.Subcommands.Add(CommitCommand.Create(context));
        root.Subcommands.Add(LoginCommands.Login(context));
        root.Subcommands.Add(LoginCommands.Logout(context));
        root.Subcommands.Add(ContainerStateCommands.Top(context));
        root.Subcommands.Add(ContainerStateCommands.Diff(context));
        root.Subcommands.Add(ContainerStateCommands.Export(context));
        root.Subcommands.Add(StatsCommand.Create(context));
        root.Subcommands.Add(PortCommand.Create(context));
        root.Subcommands.Add(CopyCommand.Create(context));
        root.Subcommands.Add(HistoryCommand.Create(context));
        root.Subcommands.Add(EventsCommand.Create(context));
        root.Subcommands.Add(NetworkCommands.Network(context));
        root.Subcommands.Add(SecretCommands.Secret(context));
        root.Subcommands.Add(SystemDiskCommands.System(context));
        root.Subcommands.Add(ManagementCommands.Container(context));
        root.Subcommands.Add(ManagementCommands.Image(context));
        root.Subcommands.Add(ScanCommands.Scan(context));
        root.Subcommands.Add(BenchCommand.Create(context));
        root.Subcommands.Add(TlsCommands.Tls(context));
        root.Subcommands.Add(AuditCommands.Audit(context));
        root.Subcommands.Add(IsolateCommand.Isolate(context));
        root.Subcommands.Add(EvidenceCommand.Evidence(context));
        root.Subcommands.Add(TrustCommands.Trust(context));
        root.Subcommands.Add(Completion.CompletionCommands.Completion(context));
        root.Subcommands.Add(Completion.CompletionCommands.Complete(context, root));
        Help.ExamplesHelpAction.Install(root);
        return root;
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
        var root = BuildRoot(context);
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
