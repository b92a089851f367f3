using System.CommandLine;

namespace Bulwark.Cli.Commands;

/// <summary><c>load</c>, <c>save</c>, <c>import</c>: tar streams in and out.</summary>
internal static class ImageTransferCommands
{
    public static Command Load(CliContext context)
    {
        var input = new Option<string>("--input", "-i") { Description = "Read from tar archive file, instead of STDIN" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress the load output" };
        var command = new Command("load", "Load an image from a tar archive or STDIN") { input, quiet };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            Stream source;
            if (result.GetValue(input) is { Length: > 0 } path)
            {
                source = File.OpenRead(path);
            }
            else if (Console.IsInputRedirected)
            {
                source = context.OpenStdin();
            }
            else
            {
                throw new CliException(1, "requested load from stdin, but stdin is empty");
            }

            await using (source.ConfigureAwait(false))
            {
                using var client = context.CreateClient(result);
                IReadOnlyList<Api.Models.Streams.JsonMessage> messages = [];
                long? total = source.CanSeek ? source.Length : null;
                async Task LoadAsync(Action<long> report) =>
                    messages = await client.ImageLoadAsync(new Progress.CountingReadStream(source, report), quiet: true, ct).ConfigureAwait(false);
                if (result.GetValue(quiet))
                {
                    await LoadAsync(static _ => { }).ConfigureAwait(false);
                }
                else
                {
                    await Progress.ByteProgress.RunAsync(context, "Loading", total, LoadAsync).ConfigureAwait(false);
                }
                foreach (var m in messages)
                {
                    if (m.Stream is { Length: > 0 } text)
                    {
                        await context.Out.WriteAsync(text.EndsWith('\n') ? text : text + "\n").ConfigureAwait(false);
                    }
                }
            }

            return 0;
        }));
        return command;
    }

    public static Command Save(CliContext context)
    {
        var output = new Option<string>("--output", "-o") { Description = "Write to a file, instead of STDOUT" };
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("save", "Save one or more images to a tar archive (streamed to STDOUT by default)") { output, images };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var path = result.GetValue(output);
            if (string.IsNullOrEmpty(path) && !Console.IsOutputRedirected)
            {
                throw new CliException(1, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
            }

            using var client = context.CreateClient(result);
            using var response = await client.ImageSaveAsync(result.GetValue(images)!, ct).ConfigureAwait(false);
            await Progress.ByteProgress.RunAsync(context, "Saving", null, report =>
                Output.FileOutput.WriteAtomicallyAsync(context, path, new Progress.CountingReadStream(response.Body, report), ct)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Import(CliContext context)
    {
        var change = new Option<string[]>("--change", "-c") { Description = "Apply Dockerfile instruction to the created image", Arity = ArgumentArity.OneOrMore };
        var message = new Option<string>("--message", "-m") { Description = "Set commit message for imported image" };
        var file = new Argument<string>("file|-");
        var reference = new Argument<string?>("REPOSITORY[:TAG]") { Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("import", "Import the contents from a tarball to create a filesystem image") { change, message, file, reference };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var path = result.GetValue(file)!;
            var source = path == "-" ? context.OpenStdin() : File.OpenRead(path);
            await using (source.ConfigureAwait(false))
            {
                using var client = context.CreateClient(result);
                var messages = await client.ImageImportAsync(source, result.GetValue(reference), result.GetValue(change) ?? [],
                    result.GetValue(message), ct).ConfigureAwait(false);
                if (messages.LastOrDefault(m => m.Status is { Length: > 0 }) is { } last)
                {
                    await context.Out.WriteLineAsync(last.Status).ConfigureAwait(false);
                }
            }

            return 0;
        }));
        return command;
    }
}
