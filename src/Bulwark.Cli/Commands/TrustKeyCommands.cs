using System.CommandLine;
using System.Security.Cryptography;
using Bulwark.Cli.Trust;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>trust key generate NAME [--dir DIR]</c> and <c>trust key load FILE [--name NAME]</c>: signing keys in the docker CLI's key
/// store (<see cref="TrustKeyStore"/>), so that <c>docker trust signer add</c> and <c>docker trust sign</c> use what bulwark made.
/// Local only: nothing is sent to a daemon or a trust server.
/// </summary>
internal static class TrustKeyCommands
{
    public static Command Key(CliContext context)
    {
        var command = new Command("key", "Manage keys for signing Docker images");
        command.Subcommands.Add(Generate(context));
        command.Subcommands.Add(Load(context));
        return command;
    }

    private static Command Generate(CliContext context)
    {
        var name = new Argument<string>("NAME");
        var dir = new Option<string?>("--dir") { Description = "Directory to generate key in, defaults to current directory" };
        var command = new Command("generate", "Generate and load a signing key-pair") { name, dir };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string role = result.GetValue(name)!;
            TrustKeyStore.ValidateName(role);
            string pubPath = Path.GetFullPath(Path.Combine(result.GetValue(dir) ?? ".", role + ".pub"));
            if (File.Exists(pubPath))
            {
                throw new CliException(1, $"public key file already exists: \"{pubPath}\"");
            }

            string passphrase = TrustKeyStore.Passphrase(context.GetEnvironment);
            await context.Out.WriteLineAsync($"Generating key for {role}...").ConfigureAwait(false);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            TrustKeyStore.FromEnvironment(context.GetEnvironment).Save(key, role, passphrase);
            Directory.CreateDirectory(Path.GetDirectoryName(pubPath)!);
            await File.WriteAllTextAsync(pubPath, TrustKeyStore.PublicPem(key, role), ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"Successfully generated and loaded private key. Corresponding public key available: {pubPath}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Load(CliContext context)
    {
        var file = new Argument<string>("KEYFILE");
        var name = new Option<string>("--name") { Description = "Name for the loaded key", DefaultValueFactory = _ => "signer" };
        var command = new Command("load", "Load a private key file for signing") { file, name };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string path = result.GetValue(file)!;
            string role = result.GetValue(name)!;
            TrustKeyStore.ValidateName(role);
            if (!File.Exists(path))
            {
                throw new CliException(1, $"key file not found: \"{path}\"");
            }

            string passphrase = TrustKeyStore.Passphrase(context.GetEnvironment);
            await context.Out.WriteLineAsync($"Loading key from \"{path}\"...").ConfigureAwait(false);
            using var key = TrustKeyStore.ReadPrivateKey(path, passphrase);
            string id = TrustKeyStore.FromEnvironment(context.GetEnvironment).Save(key, role, passphrase);
            await context.Out.WriteLineAsync($"Successfully imported key {id} from {path}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
