using System.CommandLine;
using Bulwark.Cli.Running;

namespace Bulwark.Cli.Commands;

/// <summary><c>start [-a] [-i] CONTAINER...</c>.</summary>
internal static class StartCommand
{
    public static Command Create(CliContext context)
    {
        var attach = new Option<bool>("--attach", "-a") { Description = "Attach STDOUT/STDERR and forward signals" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Attach container's STDIN" };
        var containers = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("start", "Start one or more stopped containers") { attach, interactive, containers };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var names = result.GetValue(containers)!;
            if (result.GetValue(attach) || result.GetValue(interactive))
            {
                if (names.Length > 1)
                {
                    throw new CliException(1, "you cannot start and attach multiple containers at once");
                }

                var inspect = await client.ContainerInspectAsync(names[0], ct).ConfigureAwait(false);
                var stdin = result.GetValue(interactive) && inspect.Config.OpenStdin;
                var session = new AttachedSession(client, context.OpenStdin(), context.OpenStdout(), context.OpenStderr())
                {
                    StdinIsTerminal = !Console.IsInputRedirected,
                    TerminalSize = () => Console.IsOutputRedirected ? null : (Console.WindowHeight, Console.WindowWidth),
                };
                return await session.RunAsync(inspect.Id, inspect.Config.Tty, stdin, autoRemove: false, proxySignals: true, ct)
                    .ConfigureAwait(false);
            }

            var failed = new List<string>();
            foreach (var name in names)
            {
                try
                {
                    await client.ContainerStartAsync(name, ct).ConfigureAwait(false);
                    await context.Out.WriteLineAsync(name).ConfigureAwait(false);
                }
                catch (Bulwark.Client.DockerApiException ex)
                {
                    await context.Error.WriteLineAsync("Error response from daemon: " + ex.Message).ConfigureAwait(false);
                    failed.Add(name);
                }
            }

            if (failed.Count > 0)
            {
                throw new CliException(1, "Error: failed to start containers: " + string.Join(", ", failed));
            }

            return 0;
        }));
        return command;
    }
}
