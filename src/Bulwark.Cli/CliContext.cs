using System.CommandLine;
using System.Text;
using Bulwark.Client;

namespace Bulwark.Cli;

/// <summary>What every command needs: the <c>--host</c> option, a client factory, and our stdio.</summary>
internal sealed class CliContext
{
    public Option<string> Host { get; } = new("--host", "-H")
    {
        Description = "Daemon to connect to (unix:///path, a path, or ssh://[user@]host[:port]; default $BULWARK_HOST or unix:///run/bulwark/bulwark.sock)",
        Recursive = true,
    };

    public Func<string, string?> GetEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    public TextWriter Out { get; init; } = Console.Out;

    public TextWriter Error { get; init; } = Console.Error;

    public Func<Stream> OpenStdout { get; init; } = Console.OpenStandardOutput;

    public Func<Stream> OpenStderr { get; init; } = Console.OpenStandardError;

    public Func<Stream> OpenStdin { get; init; } = Console.OpenStandardInput;

    public DockerClient CreateClient(ParseResult result) =>
        new(ResolveAddress(result.GetValue(Host)));

    /// <summary>The daemon's address from <c>--host</c>, <c>BULWARK_HOST</c> and <c>BULWARK_SSH_OPTS</c>.</summary>
    public DaemonAddress ResolveAddress(string? hostFlag) =>
        DockerHost.Resolve(hostFlag, GetEnvironment(DockerHost.EnvironmentVariable), GetEnvironment(DockerHost.SshOptionsVariable));

    /// <summary>Runs a command body, turning daemon and connection errors into docker-style messages.</summary>
    public async Task<int> GuardAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            await Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (DockerApiException ex)
        {
            await Error.WriteLineAsync("Error response from daemon: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or System.Net.Sockets.SocketException)
        {
            await Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>For multi-target commands: prints each success, reports failures, exit 1 if any failed.</summary>
    public async Task<int> ForEachAsync(IEnumerable<string> targets, Func<string, Task<string?>> action)
    {
        var failed = false;
        foreach (var target in targets)
        {
            try
            {
                if (await action(target).ConfigureAwait(false) is { } line)
                {
                    await Out.WriteLineAsync(line).ConfigureAwait(false);
                }
            }
            catch (DockerApiException ex)
            {
                failed = true;
                await Error.WriteLineAsync("Error response from daemon: " + ex.Message).ConfigureAwait(false);
            }
        }

        return failed ? 1 : 0;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
