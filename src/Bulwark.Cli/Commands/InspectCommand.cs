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
    private const string FormatHelp =
        "Format output using a Go template subset: literal text, {{.Field.Sub}}, {{json .Field}}, " +
        "{{index .Map \"key\"}}, {{join .List \",\"}}, {{upper .X}}, {{lower .X}}, {{len .X}} (no range/if)";

    public static Command Create(CliContext context)
    {
        var type = new Option<string>("--type") { Description = "Only inspect objects of the given type (container|image)" };
        var format = new Option<string>("--format", "-f") { Description = FormatHelp };
        var names = new Argument<string[]>("NAME") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Return low-level information on Bulwark objects") { type, format, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var kind = result.GetValue(type);
            if (kind is not (null or "" or "container" or "image"))
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

    private static async Task<JsonElement?> FindAsync(DockerClient client, string name, string? kind, CancellationToken ct)
    {
        if (kind is null or "" or "container")
        {
            try
            {
                return await client.ContainerInspectRawAsync(name, ct).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.IsNotFound)
            {
                if (kind == "container")
                {
                    return null;
                }
            }
        }

        try
        {
            return await client.ImageInspectRawAsync(name, ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.IsNotFound)
        {
            return null;
        }
    }
}
