using System.CommandLine;
using Bulwark.Cli.Evidence;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>evidence CTR -o FILE</c>: incident response: a signed bundle of what a container is and does, collected by the
/// daemon without changing it; <c>evidence key</c> prints the daemon's public key; <c>evidence verify FILE [--key]</c>
/// checks a bundle's hashes and signature.
/// </summary>
internal static class EvidenceCommand
{
    public static Command Evidence(CliContext context)
    {
        var container = new Argument<string>("CONTAINER") { Description = "The container to collect evidence from", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "Write the bundle (a tar) to this file, instead of STDOUT" };
        var command = new Command("evidence",
            "Collect a signed evidence bundle (inspect, security profile, processes, open files and sockets, filesystem diff, logs, events) without changing the container")
        {
            container, output, Key(context), Verify(context),
        };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string? name = result.GetValue(container);
            if (string.IsNullOrEmpty(name))
            {
                throw new CliException(125, "evidence needs a CONTAINER (or the key / verify subcommands)");
            }
            string? path = result.GetValue(output);
            if (string.IsNullOrEmpty(path) && !Console.IsOutputRedirected)
            {
                throw new CliException(1, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
            }
            using var client = context.CreateClient(result);
            using var response = await client.ContainerEvidenceAsync(name, ct).ConfigureAwait(false);
            await FileOutput.WriteAtomicallyAsync(context, path, response.Body, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Key(CliContext context)
    {
        var command = new Command("key", "Print the daemon's evidence-signing public key (PEM)");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            await context.Out.WriteAsync(await client.EvidenceKeyAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var bundle = new Argument<string>("BUNDLE") { Description = "The bundle tar to check" };
        var keyFile = new Option<string>("--key") { Description = "Public key PEM file (default: ask the daemon for its key)" };
        var command = new Command("verify", "Recompute every file's sha256 and check the manifest's signature; exit 1 naming the first bad file")
        {
            bundle, keyFile,
        };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string path = result.GetValue(bundle)!;
            string pem;
            if (result.GetValue(keyFile) is { Length: > 0 } k)
            {
                pem = await File.ReadAllTextAsync(k, ct).ConfigureAwait(false);
            }
            else
            {
                using var client = context.CreateClient(result);
                pem = await client.EvidenceKeyAsync(ct).ConfigureAwait(false);
            }
            if (!File.Exists(path))
            {
                throw new CliException(1, $"{path}: no such file");
            }
            var fs = File.OpenRead(path);
            await using (fs.ConfigureAwait(false))
            {
                string? problem;
                try
                {
                    problem = await EvidenceBundleVerifier.VerifyAsync(fs, pem, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException or KeyNotFoundException)
                {
                    problem = $"{path}: not an evidence bundle: {e.Message}";
                }
                if (problem is not null)
                {
                    throw new CliException(1, $"verification failed: {problem}");
                }
            }
            await context.Out.WriteLineAsync($"{path}: verified: every file matches the signed manifest").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
