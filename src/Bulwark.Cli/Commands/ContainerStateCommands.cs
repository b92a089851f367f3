using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>restart</c>, <c>pause</c>, <c>unpause</c>, <c>rename</c>, <c>top</c>, <c>diff</c>, <c>export</c>.</summary>
internal static class ContainerStateCommands
{
    public static Command Restart(CliContext context)
    {
        var time = new Option<int?>("--time", "-t") { Description = "Seconds to wait before killing the container" };
        var names = Targets();
        var command = new Command("restart", "Restart one or more containers") { time, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                var seconds = result.GetValue(time);
                await Progress.WaitSpinner.RunAsync(context, $"Restarting {name} (SIGKILL after {seconds ?? 10}s)",
                    () => client.ContainerRestartAsync(name, seconds, ct)).ConfigureAwait(false);
                return name;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Pause(CliContext context)
    {
        var names = Targets();
        var command = new Command("pause", "Pause all processes within one or more containers") { names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                await client.ContainerPauseAsync(name, ct).ConfigureAwait(false);
                return name;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Unpause(CliContext context)
    {
        var names = Targets();
        var command = new Command("unpause", "Unpause all processes within one or more containers") { names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                await client.ContainerUnpauseAsync(name, ct).ConfigureAwait(false);
                return name;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Rename(CliContext context)
    {
        var container = new Argument<string>("CONTAINER");
        var newName = new Argument<string>("NEW_NAME");
        var command = new Command("rename", "Rename a container") { container, newName };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var name = result.GetValue(newName)!.Trim();
            if (name.Length == 0)
            {
                throw new CliException(1, "Error: Neither old nor new names may be empty");
            }

            using var client = context.CreateClient(result);
            await client.ContainerRenameAsync(result.GetValue(container)!, name, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Top(CliContext context)
    {
        var container = new Argument<string>("CONTAINER");
        var psArgs = new Argument<string[]>("ps OPTIONS") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("top", "Display the running processes of a container") { container, psArgs };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var args = result.GetValue(psArgs) is { Length: > 0 } a ? string.Join(' ', a) : null;
            var top = await client.ContainerTopAsync(result.GetValue(container)!, args, ct).ConfigureAwait(false);
            var table = new TableWriter([.. top.Titles]);
            foreach (var row in top.Processes)
            {
                table.AddRow([.. row]);
            }

            await context.Out.WriteAsync(table.Render()).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Diff(CliContext context)
    {
        var container = new Argument<string>("CONTAINER");
        var command = new Command("diff", "Inspect changes to files or directories on a container's filesystem") { container };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var changes = await client.ContainerChangesAsync(result.GetValue(container)!, ct).ConfigureAwait(false);
            foreach (var change in changes)
            {
                var kind = change.Kind switch { 0 => "C", 1 => "A", 2 => "D", _ => change.Kind.ToString(CultureInfo.InvariantCulture) };
                await context.Out.WriteLineAsync(kind + " " + change.Path).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    public static Command Export(CliContext context)
    {
        var output = new Option<string>("--output", "-o") { Description = "Write to a file, instead of STDOUT" };
        var container = new Argument<string>("CONTAINER");
        var command = new Command("export", "Export a container's filesystem as a tar archive") { output, container };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var path = result.GetValue(output);
            if (string.IsNullOrEmpty(path) && !Console.IsOutputRedirected)
            {
                throw new CliException(1, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
            }

            using var client = context.CreateClient(result);
            using var response = await client.ContainerExportAsync(result.GetValue(container)!, ct).ConfigureAwait(false);
            await FileOutput.WriteAtomicallyAsync(context, path, response.Body, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Argument<string[]> Targets() => new("CONTAINER") { Arity = ArgumentArity.OneOrMore };
}
