using System.CommandLine;
using Bulwark.Api.Models.Streams;
using Bulwark.Cli.Trust;
using Bulwark.Tuf;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>trust sign IMAGE:TAG</c>, <c>trust revoke IMAGE[:TAG]</c>, <c>trust signer add --key PUB NAME REPO...</c> and
/// <c>trust signer remove NAME REPO...</c>: publishing to the repository's Notary v1 trust server (<see cref="TrustPublisher"/>)
/// with the docker CLI's keys and passphrase variables. Only <c>sign</c> talks to the daemon, to push the image it signs.
/// </summary>
internal static class TrustPublishCommands
{
    public static Command Sign(CliContext context)
    {
        var (server, ca) = ServerOptions();
        var image = new Argument<string>("IMAGE:TAG");
        var command = new Command("sign", "Sign an image") { image, server, ca };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string reference = result.GetValue(image)!;
            var name = TrustedRepositoryName.Parse(reference, tagRequired: true);
            var (repository, tag) = RegistryCommands.Split(reference);
            using var client = context.CreateClient(result);
            client.RegistryAuth = Credentials.CredentialStore.For(context).HeaderFor(repository);
            await context.Out.WriteLineAsync($"Signing and pushing trust metadata for {reference}").ConfigureAwait(false);
            PushResultAux? pushed = null;
            await client.ImagePushAsync(repository, tag, m =>
            {
                if (m.Error is { } error)
                {
                    throw new CliException(1, error);
                }

                pushed = m.Aux ?? pushed;
                return Task.CompletedTask;
            }, ct).ConfigureAwait(false);
            if (pushed is not { Size: > 0 } aux || !aux.Digest.StartsWith("sha256:", StringComparison.Ordinal) || aux.Digest.Length != 71)
            {
                throw new CliException(1, $"the push of {reference} reported no manifest digest and size to sign");
            }

            await context.Out.WriteLineAsync($"{tag}: digest: {aux.Digest} size: {aux.Size}").ConfigureAwait(false);
            using var trustServer = Server(context, result, server, ca, name);
            await Publisher(context, trustServer).SignAsync(name.Gun, tag!, Convert.FromHexString(aux.Digest[7..]), aux.Size, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Revoke(CliContext context)
    {
        var (server, ca) = ServerOptions();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not prompt for confirmation (required to revoke every tag)" };
        var image = new Argument<string>("IMAGE[:TAG]");
        var command = new Command("revoke", "Remove trust for an image") { image, yes, server, ca };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var name = TrustedRepositoryName.Parse(result.GetValue(image)!, tagRequired: false);
            if (name.Tag is null && !result.GetValue(yes))
            {
                throw new CliException(1, $"revoking every signed tag of {name.Gun} needs --yes");
            }

            using var client = Server(context, result, server, ca, name);
            await Publisher(context, client).RevokeAsync(name.Gun, name.Tag, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Signer(CliContext context)
    {
        var command = new Command("signer", "Manage entities who can sign Docker images");
        command.Subcommands.Add(SignerAdd(context));
        command.Subcommands.Add(SignerRemove(context));
        return command;
    }

    private static Command SignerAdd(CliContext context)
    {
        var (server, ca) = ServerOptions();
        var keys = new Option<string[]>("--key") { Description = "Path to the signer's public key file", Required = true, AllowMultipleArgumentsPerToken = false };
        var signer = new Argument<string>("NAME");
        var repos = new Argument<string[]>("REPOSITORY") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("add", "Add a signer") { keys, signer, repos, server, ca };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string name = result.GetValue(signer)!;
            TrustKeyStore.ValidateName(name);
            var publicKeys = result.GetValue(keys)!.Select(ReadPublicKey).ToList();
            foreach (string repo in result.GetValue(repos)!)
            {
                var parsed = TrustedRepositoryName.Parse(repo, tagRequired: false);
                await context.Out.WriteLineAsync($"Adding signer \"{name}\" to {parsed.Gun}...").ConfigureAwait(false);
                using var client = Server(context, result, server, ca, parsed);
                await Publisher(context, client).AddSignerAsync(parsed.Gun, name, publicKeys, ct).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static Command SignerRemove(CliContext context)
    {
        var (server, ca) = ServerOptions();
        var signer = new Argument<string>("NAME");
        var repos = new Argument<string[]>("REPOSITORY") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("remove", "Remove a signer") { signer, repos, server, ca };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string name = result.GetValue(signer)!;
            TrustKeyStore.ValidateName(name);
            foreach (string repo in result.GetValue(repos)!)
            {
                var parsed = TrustedRepositoryName.Parse(repo, tagRequired: false);
                await context.Out.WriteLineAsync($"Removing signer \"{name}\" from {parsed.Gun}...").ConfigureAwait(false);
                using var client = Server(context, result, server, ca, parsed);
                await Publisher(context, client).RemoveSignerAsync(parsed.Gun, name, ct).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static (Option<string?> Server, Option<string?> Ca) ServerOptions() =>
        (new Option<string?>("--server") { Description = "Trust server URL (default: $DOCKER_CONTENT_TRUST_SERVER, else https://<registry>)" },
         new Option<string?>("--tls-ca") { Description = "CA certificate of the trust server (default: $DOCKER_CONFIG/tls/<host:port>/*.crt)" });

    private static TrustServerClient Server(CliContext context, ParseResult result, Option<string?> server, Option<string?> ca, TrustedRepositoryName name) =>
        new(TrustServerEndpoint.Resolve(name.RegistryHost, result.GetValue(server), result.GetValue(ca), context.GetEnvironment));

    private static TrustPublisher Publisher(CliContext context, TrustServerClient server) =>
        new(server, TrustKeyStore.FromEnvironment(context.GetEnvironment), context.GetEnvironment, context.Out);

    /// <summary>A signer's public key as <c>docker trust signer add --key</c> reads it: a PEM <c>PUBLIC KEY</c> (ECDSA P-256).</summary>
    private static TufKey ReadPublicKey(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException(1, $"file for public key does not exist: {path}");
        }

        var key = TrustKeyStore.ReadPublicKey(path);
        return new TufKey(TufKey.Ecdsa, Convert.ToBase64String(key));
    }
}
