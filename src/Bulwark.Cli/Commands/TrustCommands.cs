using System.CommandLine;
using System.Text;
using System.Text.Json;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>trust inspect [--pretty] IMAGE...</c>: the signed tags of a repository as the daemon verified them (its trust pinning and
/// trust server), in <c>docker trust inspect</c>'s shape; a repository the daemon cannot verify is an error naming the reason.
/// <c>trust key</c>: see <see cref="TrustKeyCommands"/>; <c>trust sign|revoke|signer</c>: see <see cref="TrustPublishCommands"/>.
/// </summary>
internal static class TrustCommands
{
    public static Command Trust(CliContext context)
    {
        var command = new Command("trust", "Manage trust on Bulwark images");
        command.Subcommands.Add(Inspect(context));
        command.Subcommands.Add(TrustKeyCommands.Key(context));
        command.Subcommands.Add(TrustPublishCommands.Sign(context));
        command.Subcommands.Add(TrustPublishCommands.Revoke(context));
        command.Subcommands.Add(TrustPublishCommands.Signer(context));
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var pretty = new Option<bool>("--pretty") { Description = "Print the information in a human friendly format" };
        var names = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Return low-level information about keys and signatures") { pretty, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var found = new List<JsonElement>();
            foreach (string name in result.GetValue(names)!)
            {
                found.Add(await client.ImageTrustRawAsync(name, ct).ConfigureAwait(false));
            }

            string text = result.GetValue(pretty) ? string.Concat(found.Select(Pretty)) : JsonOutput.Indented(found) + "\n";
            await context.Out.WriteAsync(text).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    internal static string Pretty(JsonElement repo)
    {
        string name = repo.GetProperty("Name").GetString()!;
        var sb = new StringBuilder();
        sb.Append("\nSignatures for ").Append(name).Append("\n\n");
        var table = new TableWriter(["SIGNED TAG", "DIGEST", "SIGNERS"]);
        foreach (var tag in repo.GetProperty("SignedTags").EnumerateArray())
        {
            table.AddRow(tag.GetProperty("SignedTag").GetString()!, tag.GetProperty("Digest").GetString()!,
                string.Join(", ", tag.GetProperty("Signers").EnumerateArray().Select(s => s.GetString())));
        }

        sb.Append(table.Render());
        sb.Append("\nAdministrative keys for ").Append(name).Append("\n\n");
        foreach (var keys in repo.GetProperty("AdministrativeKeys").EnumerateArray())
        {
            sb.Append("  ").Append(keys.GetProperty("Name").GetString()).Append(" Key:\t")
                .Append(string.Join(", ", keys.GetProperty("Keys").EnumerateArray().Select(k => k.GetProperty("ID").GetString()))).Append('\n');
        }

        sb.Append("  Pinned by:\t").Append(repo.GetProperty("PinnedBy").GetString())
            .Append(" (content trust ").Append(repo.GetProperty("Mode").GetString()).Append(")\n");
        return sb.ToString();
    }
}
