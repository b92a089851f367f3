using System.CommandLine;
using Bulwark.Api.Models.Exec;
using Bulwark.Cli.Running;

namespace Bulwark.Cli.Commands;

/// <summary><c>exec [-d] [-i] [-t] [-u USER] [-e K=V] [-w DIR] CONTAINER COMMAND [ARG...]</c>; exits with the process's code.</summary>
internal static class ExecCommand
{
    public static Command Create(CliContext context)
    {
        var detach = new Option<bool>("--detach", "-d") { Description = "Detached mode: run command in the background" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Keep STDIN open even if not attached" };
        var tty = new Option<bool>("--tty", "-t") { Description = "Allocate a pseudo-TTY" };
        var user = new Option<string>("--user", "-u") { Description = "Username or UID (format: \"<name|uid>[:<group|gid>]\")" };
        var env = new Option<string[]>("--env", "-e") { Description = "Set environment variables", Arity = ArgumentArity.OneOrMore };
        var workdir = new Option<string>("--workdir", "-w") { Description = "Working directory inside the container" };
        var detachKeys = new Option<string>("--detach-keys") { Description = "Override the key sequence for detaching a container" };
        var privileged = new Option<bool>("--privileged") { Description = "Give extended privileges to the command (refused by bulwarkd)" };
        var container = new Argument<string>("CONTAINER");
        var cmd = new Argument<string[]>("COMMAND") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Execute a command in a running container")
        {
            detach, interactive, tty, user, env, workdir, detachKeys, privileged, container, cmd,
        };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var request = new ExecCreateRequest
            {
                AttachStdin = result.GetValue(interactive) && !result.GetValue(detach),
                AttachStdout = !result.GetValue(detach),
                AttachStderr = !result.GetValue(detach),
                Tty = result.GetValue(tty),
                Detach = result.GetValue(detach),
                DetachKeys = result.GetValue(detachKeys),
                Env = result.GetValue(env) is { Length: > 0 } e ? [.. e.Select(v => v.Contains('=', StringComparison.Ordinal) ? v : ExpandFromHost(context, v))] : null,
                Cmd = [.. result.GetValue(cmd)!],
                User = result.GetValue(user),
                WorkingDir = result.GetValue(workdir),
                Privileged = result.GetValue(privileged),
            };
            if (request.Tty && request.AttachStdin && Console.IsInputRedirected)
            {
                throw new CliException(1, "the input device is not a TTY");
            }

            using var client = context.CreateClient(result);
            var session = new ExecSession(client, context.OpenStdin(), context.OpenStdout(), context.OpenStderr())
            {
                StdinIsTerminal = !Console.IsInputRedirected,
                TerminalSize = () => Console.IsOutputRedirected ? null : (Console.WindowHeight, Console.WindowWidth),
            };
            return await session.RunAsync(result.GetValue(container)!, request, ct).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary><c>-e NAME</c> takes NAME's value from our environment (and drops it when unset), like docker.</summary>
    private static string ExpandFromHost(CliContext context, string name) =>
        context.GetEnvironment(name) is { } value ? name + "=" + value : name;
}
