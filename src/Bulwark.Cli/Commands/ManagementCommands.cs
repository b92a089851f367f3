using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary>
/// docker's management groups: <c>container …</c> and <c>image …</c> reach the same commands as the top-level ones
/// (<c>container ls</c> is <c>ps</c>, <c>image ls</c> is <c>images</c>), plus their <c>prune</c>.
/// </summary>
internal static class ManagementCommands
{
    public static Command Container(CliContext context)
    {
        var command = new Command("container", "Manage containers");
        command.Subcommands.Add(Alias(PsCommand.Create(context), "ls", "list"));
        command.Subcommands.Add(RunCommand.CreateRun(context));
        command.Subcommands.Add(RunCommand.CreateCreate(context));
        command.Subcommands.Add(ExecCommand.Create(context));
        command.Subcommands.Add(InspectCommand.Create(context));
        command.Subcommands.Add(ContainerStateCommands.Restart(context));
        command.Subcommands.Add(ContainerStateCommands.Pause(context));
        command.Subcommands.Add(ContainerStateCommands.Unpause(context));
        command.Subcommands.Add(ContainerStateCommands.Rename(context));
        command.Subcommands.Add(UpdateCommand.Create(context));
        command.Subcommands.Add(CommitCommand.Create(context));
        command.Subcommands.Add(ContainerStateCommands.Top(context));
        command.Subcommands.Add(ContainerStateCommands.Diff(context));
        command.Subcommands.Add(ContainerStateCommands.Export(context));
        command.Subcommands.Add(ContainerLifecycleCommands.Stop(context));
        command.Subcommands.Add(ContainerLifecycleCommands.Kill(context));
        command.Subcommands.Add(ContainerLifecycleCommands.Remove(context));
        command.Subcommands.Add(ContainerLifecycleCommands.Wait(context));
        command.Subcommands.Add(StartCommand.Create(context));
        command.Subcommands.Add(LogsCommand.Create(context));
        command.Subcommands.Add(StatsCommand.Create(context));
        command.Subcommands.Add(AttachCommand.Create(context));
        command.Subcommands.Add(CopyCommand.Create(context));
        command.Subcommands.Add(PruneCommands.Containers(context));
        return command;
    }

    public static Command Image(CliContext context)
    {
        var command = new Command("image", "Manage images");
        command.Subcommands.Add(Alias(ImageCommands.Images(context), "ls", "list"));
        command.Subcommands.Add(HistoryCommand.Create(context));
        command.Subcommands.Add(ImageCommands.Tag(context));
        command.Subcommands.Add(Alias(ImageCommands.Remove(context), "rm"));
        command.Subcommands.Add(ImageTransferCommands.Load(context));
        command.Subcommands.Add(ImageTransferCommands.Save(context));
        command.Subcommands.Add(ImageTransferCommands.Import(context));
        command.Subcommands.Add(RegistryCommands.Pull(context));
        command.Subcommands.Add(RegistryCommands.Push(context));
        command.Subcommands.Add(PruneCommands.Images(context));
        command.Subcommands.Add(ImageSignatureCommands.Sign(context));
        command.Subcommands.Add(ImageSignatureCommands.Verify(context));
        return command;
    }

    private static Command Alias(Command command, params string[] aliases)
    {
        foreach (var alias in aliases)
        {
            command.Aliases.Add(alias);
        }

        return command;
    }
}
