using System.CommandLine;
using Bulwark.Api.Models.Containers;
using Bulwark.Cli.Parsing;
using Bulwark.Cli.Running;
using Bulwark.Client;

namespace Bulwark.Cli.Commands;

/// <summary><c>run</c> and <c>create</c>: same flags, same create body as docker.</summary>
internal static class RunCommand
{
    public static Command CreateRun(CliContext context)
    {
        var options = new ContainerOptions();
        var command = new Command("run", "Create and run a new container from an image");
        options.AddTo(command, includeDetach: true);
        var sigProxy = new Option<bool>("--sig-proxy") { Description = "Proxy received signals to the process", DefaultValueFactory = _ => true };
        command.Options.Add(sigProxy);
        command.SetAction((result, ct) => context.GuardAsync(() => RunAsync(context, options, result, result.GetValue(sigProxy), ct)));
        return command;
    }

    public static Command CreateCreate(CliContext context)
    {
        var options = new ContainerOptions();
        var command = new Command("create", "Create a new container");
        options.AddTo(command, includeDetach: false);
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var flags = options.Read(result);
            var request = BuildRequest(context, flags);
            using var client = context.CreateClient(result);
            var created = await CreateAsync(context, client, flags, request, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(created.Id).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    /// <summary>Parses the arguments after <c>run</c> into flags (tests use this to check the mapping).</summary>
    internal static ContainerFlags ParseRunFlags(IReadOnlyList<string> argsAfterRun)
    {
        var context = new CliContext();
        var options = new ContainerOptions();
        var root = new RootCommand { context.Host };
        var command = new Command("run");
        options.AddTo(command, includeDetach: true);
        root.Subcommands.Add(command);
        var result = CliApplication.Parse(root, ["run", .. argsAfterRun]);
        if (result.Errors.Count > 0)
        {
            throw new CliException(125, string.Join("; ", result.Errors.Select(e => e.Message)));
        }

        return options.Read(result);
    }

    /// <summary>Parses flags into the create body with our terminal's size.</summary>
    internal static ContainerCreateRequest BuildRequest(CliContext context, ContainerFlags flags) =>
        CreateRequestBuilder.Build(flags, context.GetEnvironment, File.ReadAllText,
            Console.IsOutputRedirected ? null : (Console.WindowHeight, Console.WindowWidth));

    private static async Task<int> RunAsync(CliContext context, ContainerOptions options, ParseResult result, bool sigProxy,
        CancellationToken ct)
    {
        var flags = options.Read(result);
        // As docker: only an attached stdin needs a terminal (run -dit works from a script).
        if (flags.Interactive && flags.Tty && !flags.Detach && Console.IsInputRedirected)
        {
            throw new CliException(1, "the input device is not a TTY");
        }

        var request = BuildRequest(context, flags);
        using var client = context.CreateClient(result);
        var created = await CreateAsync(context, client, flags, request, ct).ConfigureAwait(false);

        if (flags.Detach)
        {
            try
            {
                await client.ContainerStartAsync(created.Id, ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                await context.Error.WriteLineAsync("bulwark: Error response from daemon: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.ForStartError(ex.Message);
            }

            await context.Out.WriteLineAsync(created.Id).ConfigureAwait(false);
            return 0;
        }

        await context.Out.FlushAsync(ct).ConfigureAwait(false);
        var session = new AttachedSession(client, context.OpenStdin(), context.OpenStdout(), context.OpenStderr())
        {
            StdinIsTerminal = !Console.IsInputRedirected,
            TerminalSize = () => Console.IsOutputRedirected ? null : (Console.WindowHeight, Console.WindowWidth),
        };
        try
        {
            return await session.RunAsync(created.Id, flags.Tty, flags.Interactive, flags.Remove, sigProxy, ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex)
        {
            throw new CliException(ExitCodes.DaemonError, "bulwark: Error response from daemon: " + ex.Message);
        }
    }

    private static async Task<ContainerCreateResponse> CreateAsync(CliContext context, DockerClient client, ContainerFlags flags,
        ContainerCreateRequest request, CancellationToken ct)
    {
        try
        {
            var created = await client.ContainerCreateAsync(request, flags.Name, ct).ConfigureAwait(false);
            foreach (var warning in created.Warnings ?? [])
            {
                await context.Error.WriteLineAsync("WARNING: " + warning).ConfigureAwait(false);
            }

            return created;
        }
        catch (DockerApiException ex) when (ex.IsNotFound)
        {
            await context.Error.WriteLineAsync($"Unable to find image '{flags.Image}' locally").ConfigureAwait(false);
            throw new CliException(ExitCodes.DaemonError, "bulwark: Error response from daemon: " + ex.Message);
        }
        catch (DockerApiException ex)
        {
            throw new CliException(ExitCodes.DaemonError, "bulwark: Error response from daemon: " + ex.Message);
        }
    }
}
