using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark commit</c>: a new image from a container's changes, with the docker CLI's flags.</summary>
internal static class CommitCommand
{
    public static Command Create(CliContext context)
    {
        var author = new Option<string>("--author", "-a") { Description = "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")" };
        var change = new Option<string[]>("--change", "-c") { Description = "Apply Dockerfile instruction to the created image", Arity = ArgumentArity.OneOrMore };
        var message = new Option<string>("--message", "-m") { Description = "Commit message" };
        var pause = new Option<bool>("--pause", "-p") { Description = "Pause container during commit", DefaultValueFactory = _ => true };
        var container = new Argument<string>("CONTAINER");
        var reference = new Argument<string?>("REPOSITORY[:TAG]") { Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("commit", "Create a new image from a container's changes") { author, change, message, pause, container, reference };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            string id = await client.ContainerCommitAsync(result.GetValue(container)!, result.GetValue(reference), result.GetValue(message),
                result.GetValue(author), result.GetValue(pause), result.GetValue(change) ?? [], ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(id).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
