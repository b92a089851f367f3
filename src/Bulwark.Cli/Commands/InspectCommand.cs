using System.CommandLine;
using System.Text.Json;
using Bulwark.Cli.Output;
using Bulwark.Client;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>inspect [--type container|image] [-f FORMAT] NAME...</c>: without a format the daemon's JSON documents are
/// printed as one array, re-indented; with one, each document is rendered through <see cref="GoTemplate"/>.
/// </summary>
internal static class InspectCommand
{
    public static Command Create(CliContext context)
    {
        var type = new Option<string>("--type") { Description = "Only inspect objects of the given type (container|image|network|volume|secret)" };
        var format = new Option<string>("--format", "-f") { Description = Output.FormatHelp.Inspect };
        var names = new Argument<string[]>("NAME") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Return low-level information on Bulwark objects") { type, format, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var kind = result.GetValue(type);
            if (kind is not (null or "" or "container" or "image" or "network" or "volume" or "secret"))
            {
                throw new CliException(1, $"\"{kind}\" is not a valid value for --type");
            }

            var template = result.GetValue(format) is { Length: > 0 } f ? GoTemplate.Parse(f) : null;
            using var client = context.CreateClient(result);
            var found = new List<JsonElement>();
            var exit = 0;
            foreach (var name in result.GetValue(names)!)
            {
                var element = await FindAsync(client, name, kind, ct).ConfigureAwait(false);
                if (element is null)
                {
                    await context.Error.WriteLineAsync($"Error: No such object: {name}").ConfigureAwait(false);
                    exit = 1;
                    continue;
                }

                found.Add(element.Value);
            }

            if (template is not null)
            {
                foreach (var element in found)
                {
                    await context.Out.WriteLineAsync(template.Execute(element)).ConfigureAwait(false);
                }
            }
            else if (found.Count > 0 || exit == 0)
            {
                await context.Out.WriteLineAsync(JsonOutput.Indented(found)).ConfigureAwait(false);
            }

            return exit;
        }));
        return command;
    }

    /// <summary>
    /// Looks each name up with <paramref name="lookup"/> and prints the documents as one indented array, or each through
    /// the template; names the daemon does not know are reported on stderr and make the exit code 1.
    /// </summary>
    internal static async Task<int> PrintAsync(CliContext context, IEnumerable<string> names, string? format, Func<string, Task<JsonElement>> lookup)
    {
        var template = format is { Length: > 0 } f ? GoTemplate.Parse(f) : null;
        var found = new List<JsonElement>();
        var exit = 0;
        foreach (var name in names)
        {
            try
            {
                found.Add(await lookup(name).ConfigureAwait(false));
            }
            catch (DockerApiException ex)
            {
                await context.Error.WriteLineAsync("Error response from daemon: " + ex.Message).ConfigureAwait(false);
                exit = 1;
            }
        }

        if (template is not null)
        {
            foreach (var element in found)
            {
                await context.Out.WriteLineAsync(template.Execute(element)).ConfigureAwait(false);
            }
        }
        else if (found.Count > 0 || exit == 0)
        {
            await context.Out.WriteLineAsync(JsonOutput.Indented(found)).ConfigureAwait(false);
        }

        return exit;
    }

    private static async Task<JsonElement?> FindAsync(DockerClient client, string name, string? kind, CancellationToken ct)
    {
        Func<string, CancellationToken, Task<JsonElement>>[] lookups = kind switch
        {
            "container" => [client.ContainerInspectRawAsync],
            "image" => [client.ImageInspectRawAsync],
            "network" => [client.NetworkInspectRawAsync],
            "volume" => [client.VolumeInspectRawAsync],
            "secret" => [client.SecretInspectRawAsync],
            _ => [client.ContainerInspectRawAsync, client.ImageInspectRawAsync, client.NetworkInspectRawAsync, client.VolumeInspectRawAsync],
        };
        foreach (var lookup in lookups)
        {
            try
            {
                return await lookup(name, ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.IsNotFound)
            {
            }
        }

        return null;
    }
}
