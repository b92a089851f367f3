using System.CommandLine;
using System.Globalization;

namespace Bulwark.Cli.Commands;

/// <summary><c>stop</c>, <c>kill</c>, <c>rm</c>, <c>wait</c>: one request per target, the typed name printed back.</summary>
internal static class ContainerLifecycleCommands
{
    public static Command Stop(CliContext context)
    {
        var time = new Option<int?>("--time", "-t") { Description = "Seconds to wait before killing the container" };
        var names = Targets();
        var command = new Command("stop", "Stop one or more running containers") { time, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                var seconds = result.GetValue(time);
                await Progress.WaitSpinner.RunAsync(context, $"Stopping {name} (SIGKILL after {seconds ?? 10}s)",
                    () => client.ContainerStopAsync(name, seconds, ct)).ConfigureAwait(false);
                return name;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Kill(CliContext context)
    {
        var signal = new Option<string>("--signal", "-s") { Description = "Signal to send to the container" };
        var names = Targets();
        var command = new Command("kill", "Kill one or more running containers") { signal, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var sig = result.GetValue(signal) is { Length: > 0 } s ? s : null;
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                await client.ContainerKillAsync(name, sig, ct).ConfigureAwait(false);
                return name;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Remove(CliContext context)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Force the removal of a running container (uses SIGKILL)" };
        var volumes = new Option<bool>("--volumes", "-v") { Description = "Remove anonymous volumes associated with the container" };
        var names = Targets();
        var command = new Command("rm", "Remove one or more containers") { force, volumes, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                await client.ContainerRemoveAsync(name, result.GetValue(force), result.GetValue(volumes), ct).ConfigureAwait(false);
                return name;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Wait(CliContext context)
    {
        var names = Targets();
        var command = new Command("wait", "Block until one or more containers stop, then print their exit codes") { names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                var wait = await client.ContainerWaitAsync(name, null, ct).ConfigureAwait(false);
                var status = await wait.Result.ConfigureAwait(false);
                return status.StatusCode.ToString(CultureInfo.InvariantCulture);
            }).ConfigureAwait(false);
        }));
        return command;
    }

    private static Argument<string[]> Targets() => new("CONTAINER") { Arity = ArgumentArity.OneOrMore };
}
