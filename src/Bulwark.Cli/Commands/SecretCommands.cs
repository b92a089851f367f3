using System.CommandLine;
using Bulwark.Api.Models.Secrets;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>secret create|ls|inspect|rm|rotate-key</c>: bulwarkd keeps secrets encrypted at rest, in versions (<c>NAME</c> is
/// the latest, <c>NAME@N</c> one version), and never returns their data.
/// </summary>
internal static class SecretCommands
{
    /// <summary>Docker's limit for a secret's data (500 KiB).</summary>
    private const int MaxSecretBytes = 500 * 1024;

    public static Command Secret(CliContext context)
    {
        var command = new Command("secret", "Manage secrets");
        command.Subcommands.Add(Create(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Inspect(context));
        command.Subcommands.Add(Remove(context));
        command.Subcommands.Add(RotateKey(context));
        return command;
    }

    private static Command Create(CliContext context)
    {
        var labels = new Option<string[]>("--label", "-l") { Description = "Secret labels", Arity = ArgumentArity.OneOrMore };
        var name = new Argument<string>("SECRET");
        var file = new Argument<string>("file|-") { Description = "File to read the secret from, or - for STDIN" };
        var command = new Command("create", "Create a secret from a file or STDIN as content") { labels, name, file };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var path = result.GetValue(file)!;
            byte[] data;
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await context.OpenStdin().CopyToAsync(buffer, ct).ConfigureAwait(false);
                data = buffer.ToArray();
            }
            else
            {
                data = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
            }

            if (data.Length == 0)
            {
                throw new CliException(1, "secret data is empty: give a non-empty file or STDIN");
            }

            if (data.Length > MaxSecretBytes)
            {
                throw new CliException(1, $"secret data is too large: {data.Length} bytes, at most {MaxSecretBytes}");
            }

            using var client = context.CreateClient(result);
            var request = new SecretCreateRequest
            {
                Name = result.GetValue(name),
                Labels = KeyValues.Parse(result.GetValue(labels), "--label"),
                Data = Convert.ToBase64String(data),
            };
            try
            {
                var created = await client.SecretCreateAsync(request, ct).ConfigureAwait(false);
                await context.Out.WriteLineAsync(created.ID).ConfigureAwait(false);
            }
            catch (Bulwark.Client.DockerApiException ex) when (ex.StatusCode == 409)
            {
                // The name exists: this value becomes its next version.
                var updated = await client.SecretAddVersionAsync(request.Name!, request, ct).ConfigureAwait(false);
                await context.Out.WriteLineAsync($"{updated.Spec.Name}@{updated.Version.Index}").ConfigureAwait(false);
            }
            return 0;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display IDs" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Filter output based on conditions provided (id, label, name)", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = FormatHelp.List };
        var command = new Command("ls", "List secrets") { quiet, filter, format };
        command.Aliases.Add("list");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var list = await client.SecretListAsync(Filters.Parse(result.GetValue(filter) ?? []), ct).ConfigureAwait(false);
            if (result.GetValue(quiet))
            {
                foreach (var s in list.OrderBy(s => s.Spec.Name, StringComparer.Ordinal))
                {
                    await context.Out.WriteLineAsync(s.ID).ConfigureAwait(false);
                }

                return 0;
            }

            var custom = ListFormat.Parse(result.GetValue(format))
                ?? ListFormat.Parse("table {{.ID}}\t{{.Name}}\t{{.Version}}\t{{.Versions}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}")!;
            await context.Out.WriteAsync(custom.Render(ListRows.Secrets(list, DateTimeOffset.UtcNow), ListRows.SecretHeaders)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var format = new Option<string>("--format", "-f") { Description = FormatHelp.Inspect };
        var names = new Argument<string[]>("SECRET") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Display detailed information on one or more secrets") { format, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await InspectCommand.PrintAsync(context, result.GetValue(names)!, result.GetValue(format),
                n => client.SecretInspectRawAsync(n, ct)).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var names = new Argument<string[]>("SECRET") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove one or more secrets (NAME: every version; NAME@N: that version)") { names };
        command.Aliases.Add("remove");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async n =>
            {
                await client.SecretRemoveAsync(n, ct).ConfigureAwait(false);
                return n;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command RotateKey(CliContext context)
    {
        var command = new Command("rotate-key", "Replace the daemon's secret key and re-encrypt every version of every secret under it");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var rotated = await client.SecretRotateKeyAsync(ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"Re-encrypted {rotated.Reencrypted} secret version{(rotated.Reencrypted == 1 ? "" : "s")} under a new key")
                .ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
