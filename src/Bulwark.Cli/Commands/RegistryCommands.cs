using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>pull</c> and <c>push</c>: the daemon talks to the registry; we print its progress lines.</summary>
internal static class RegistryCommands
{
    public static Command Pull(CliContext context)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress verbose output" };
        var image = new Argument<string>("NAME[:TAG|@DIGEST]");
        var command = new Command("pull", "Download an image from a registry") { quiet, image };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string reference = result.GetValue(image)!;
            var (name, tag) = Split(reference);
            if (tag is null)
            {
                tag = "latest";
                if (!result.GetValue(quiet))
                {
                    await context.Out.WriteLineAsync("Using default tag: latest").ConfigureAwait(false);
                }
            }

            using var client = context.CreateClient(result);
            client.RegistryAuth = Credentials.CredentialStore.For(context).HeaderFor(name);
            bool q = result.GetValue(quiet);
            if (q)
            {
                await client.ImagePullAsync(name, tag, _ => Task.CompletedTask, ct).ConfigureAwait(false);
            }
            else
            {
                await Progress.LayerProgress.For(context).RunAsync(report => client.ImagePullAsync(name, tag, report, ct)).ConfigureAwait(false);
            }

            await context.Out.WriteLineAsync(tag.StartsWith("sha256:", StringComparison.Ordinal) ? name + "@" + tag : name + ":" + tag)
                .ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Push(CliContext context)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress verbose output" };
        var image = new Argument<string>("NAME[:TAG]");
        var command = new Command("push", "Upload an image to a registry") { quiet, image };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string reference = result.GetValue(image)!;
            var (name, tag) = Split(reference);
            if (tag?.StartsWith("sha256:", StringComparison.Ordinal) == true)
            {
                throw new CliException(1, $"cannot push a digest reference: {reference}");
            }

            using var client = context.CreateClient(result);
            client.RegistryAuth = Credentials.CredentialStore.For(context).HeaderFor(name);
            bool q = result.GetValue(quiet);
            if (q)
            {
                await client.ImagePushAsync(name, tag, _ => Task.CompletedTask, ct).ConfigureAwait(false);
            }
            else
            {
                await Progress.LayerProgress.For(context).RunAsync(report => client.ImagePushAsync(name, tag, report, ct)).ConfigureAwait(false);
            }

            if (q)
            {
                await context.Out.WriteLineAsync(reference).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>"host:5000/ns/name:tag" → ("host:5000/ns/name", "tag"); "name@sha256:…" → ("name", "sha256:…").</summary>
    internal static (string Name, string? Tag) Split(string reference)
    {
        int at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return (reference[..at], reference[(at + 1)..]);
        }

        int colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') ? (reference[..colon], reference[(colon + 1)..]) : (reference, null);
    }
}
