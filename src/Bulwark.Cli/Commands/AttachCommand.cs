using System.CommandLine;
using Bulwark.Cli.Running;
using Bulwark.Client;
using Bulwark.Client.Streams;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>attach [--no-stdin] [--detach-keys KEYS] CONTAINER</c>: the running container's stdio on ours. The daemon
/// watches for the detach keys (TTY containers); after a detach the container keeps running and we exit 0.
/// </summary>
internal static class AttachCommand
{
    /// <summary>How long after the output ends we wait for the container's exit before calling it a detach.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);

    public static Command Create(CliContext context)
    {
        var noStdin = new Option<bool>("--no-stdin") { Description = "Do not attach STDIN" };
        var detachKeys = new Option<string>("--detach-keys") { Description = "Override the key sequence for detaching a container (default ctrl-p,ctrl-q)" };
        var sigProxy = new Option<bool>("--sig-proxy") { Description = "Proxy all received signals to the process", DefaultValueFactory = _ => true };
        var container = new Argument<string>("CONTAINER");
        var command = new Command("attach", "Attach local standard input, output, and error streams to a running container")
        {
            noStdin, detachKeys, sigProxy, container,
        };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var inspect = await client.ContainerInspectAsync(result.GetValue(container)!, ct).ConfigureAwait(false);
            if (!inspect.State.Running)
            {
                throw new CliException(1, "You cannot attach to a stopped container, start it first");
            }

            if (inspect.State.Paused)
            {
                throw new CliException(1, "You cannot attach to a paused container, unpause it first");
            }

            var tty = inspect.Config.Tty;
            var stdin = !result.GetValue(noStdin) && inspect.Config.OpenStdin;
            using var hijack = await client.ContainerAttachAsync(inspect.Id, stdin, result.GetValue(detachKeys), ct).ConfigureAwait(false);
            var wait = await client.ContainerWaitAsync(inspect.Id, "next-exit", ct).ConfigureAwait(false);
            if (stdin)
            {
                _ = PumpAsync(context.OpenStdin(), hijack, ct);
            }
            else
            {
                hijack.CloseWrite();
            }

            var stdout = context.OpenStdout();
            using (tty && stdin && !Console.IsInputRedirected ? TerminalMode.TryEnterRaw() : null)
            {
                if (tty)
                {
                    await hijack.CopyToAsync(stdout, ct).ConfigureAwait(false);
                }
                else
                {
                    await StdCopyDemultiplexer.CopyAsync(hijack, stdout, context.OpenStderr(), ct).ConfigureAwait(false);
                }

                await stdout.FlushAsync(ct).ConfigureAwait(false);
            }

            var exited = await Task.WhenAny(wait.Result, Task.Delay(ExitGrace, ct)).ConfigureAwait(false);
            if (exited == wait.Result)
            {
                return (int)(await wait.Result.ConfigureAwait(false)).StatusCode;
            }

            // The output ended but the container runs on: a detach (docker prints this too).
            await context.Error.WriteLineAsync("read escape sequence").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static async Task PumpAsync(Stream from, HijackedStream to, CancellationToken ct)
    {
        try
        {
            await from.CopyToAsync(to, ct).ConfigureAwait(false);
            to.CloseWrite();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The container went away while we were still copying input.
        }
    }
}
