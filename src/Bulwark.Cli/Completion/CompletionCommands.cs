using System.CommandLine;
using Bulwark.Client;

namespace Bulwark.Cli.Completion;

/// <summary><c>completion bash|zsh</c> prints a script; the hidden <c>__complete WORDS…</c> answers it.</summary>
internal static class CompletionCommands
{
    public static Command Completion(CliContext context)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print the shell completion script for bash or zsh") { shell };
        command.SetAction((result, _) => context.GuardAsync(async () =>
        {
            await context.Out.WriteAsync(result.GetValue(shell) == "zsh" ? CompletionScripts.Zsh : CompletionScripts.Bash).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Complete(CliContext context, RootCommand root)
    {
        var words = new Argument<string[]>("WORDS") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("__complete", "Answer the completion scripts (one candidate a line)") { words };
        command.Hidden = true;
        command.SetAction(async (result, ct) =>
        {
            var typed = result.GetValue(words) ?? [];
            var resolver = new CompletionResolver(root, (kind, host, token) => NamesAsync(context, kind, host, token));
            foreach (var candidate in await resolver.CompleteAsync(typed, ct).ConfigureAwait(false))
            {
                await context.Out.WriteLineAsync(candidate).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Names of one kind of object from the daemon; nothing (not an error) when it cannot be reached.</summary>
    private static async Task<IEnumerable<string>> NamesAsync(CliContext context, NameKind kind, string? host, CancellationToken ct)
    {
        try
        {
            using var client = new DockerClient(context.ResolveAddress(host));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            return kind switch
            {
                NameKind.Container => (await client.ContainerListAsync(true, null, timeout.Token).ConfigureAwait(false))
                    .SelectMany(c => c.Names.Select(n => n.TrimStart('/'))),
                NameKind.RunningContainer => (await client.ContainerListAsync(false, null, timeout.Token).ConfigureAwait(false))
                    .SelectMany(c => c.Names.Select(n => n.TrimStart('/'))),
                NameKind.Image => (await client.ImageListAsync(false, null, timeout.Token).ConfigureAwait(false))
                    .SelectMany(i => i.RepoTags).Where(t => t != "<none>:<none>"),
                NameKind.Network => (await client.NetworkListAsync(null, timeout.Token).ConfigureAwait(false)).Select(n => n.Name),
                NameKind.Volume => (await client.VolumeListAsync(null, timeout.Token).ConfigureAwait(false)).Volumes.Select(v => v.Name),
                NameKind.Secret => (await client.SecretListAsync(null, timeout.Token).ConfigureAwait(false)).Select(s => s.Spec.Name),
                _ => [],
            };
        }
        catch (Exception ex) when (ex is DockerApiException or DockerConnectionException or IOException or OperationCanceledException
            or System.Net.Sockets.SocketException or ArgumentException)
        {
            return [];
        }
    }
}
