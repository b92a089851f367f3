using System.CommandLine;
using Bulwark.Cli.Copying;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>cp CONTAINER:SRC DEST</c> and <c>cp SRC CONTAINER:DEST</c> (<c>-</c> for a tar on stdin/stdout), with docker's
/// naming rule: copying onto an existing directory puts the source inside it, onto a new path names the copy after it.
/// </summary>
internal static class CopyCommand
{
    public static Command Create(CliContext context)
    {
        var archive = new Option<bool>("--archive", "-a") { Description = "Archive mode (copy all uid/gid information)" };
        var followLink = new Option<bool>("--follow-link", "-L") { Description = "Always follow symbol link in SRC_PATH" };
        var source = new Argument<string>("SRC_PATH");
        var destination = new Argument<string>("DEST_PATH");
        var command = new Command("cp", "Copy files/folders between a container and the local filesystem") { archive, followLink, source, destination };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var from = CopyEndpoint.Parse(result.GetValue(source)!);
            var to = CopyEndpoint.Parse(result.GetValue(destination)!);
            if (from.Container is null && to.Container is null)
            {
                throw new CliException(1, "copying between local paths is not supported: name a container as CONTAINER:PATH on one side");
            }

            if (from.Container is not null && to.Container is not null)
            {
                throw new CliException(1, "copying between containers is not supported: copy to the host first");
            }

            using var client = context.CreateClient(result);
            var copier = new ContainerCopier(client, context);
            if (from.Container is { } container)
            {
                await copier.FromContainerAsync(container, from.Path, to.Path, ct).ConfigureAwait(false);
            }
            else
            {
                await copier.ToContainerAsync(from.Path, to.Container!, to.Path, result.GetValue(archive), result.GetValue(followLink), ct)
                    .ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }
}
