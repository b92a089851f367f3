using System.CommandLine;
using Bulwark.Api.Models.Images;
using Bulwark.Cli.Credentials;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>login</c> and <c>logout</c>: the daemon checks the credentials against the registry (<c>POST /auth</c>); they are kept in
/// the docker CLI's config.json (0600), and <c>pull</c>/<c>push</c> send them as X-Registry-Auth.
/// </summary>
internal static class LoginCommands
{
    public static Command Login(CliContext context)
    {
        var username = new Option<string>("--username", "-u") { Description = "Username" };
        var password = new Option<string>("--password", "-p") { Description = "Password" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Take the password from stdin" };
        var server = new Argument<string?>("SERVER") { Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("login", "Log in to a registry") { username, password, passwordStdin, server };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string key = CredentialStore.Normalize(result.GetValue(server));
            string? user = result.GetValue(username);
            string? secret = result.GetValue(password);
            if (result.GetValue(passwordStdin))
            {
                if (!string.IsNullOrEmpty(secret))
                {
                    throw new CliException(1, "--password and --password-stdin are mutually exclusive");
                }
                if (string.IsNullOrEmpty(user))
                {
                    throw new CliException(1, "Must provide --username with --password-stdin");
                }
                using var reader = new StreamReader(context.OpenStdin());
                secret = (await reader.ReadToEndAsync(ct).ConfigureAwait(false)).TrimEnd('\r', '\n');
            }
            var store = CredentialStore.For(context);
            if (string.IsNullOrEmpty(user) && string.IsNullOrEmpty(secret) && store.Get(key) is var (savedUser, savedPassword))
            {
                (user, secret) = (savedUser, savedPassword);
            }
            if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(secret))
            {
                throw new CliException(1, "Error: username and password are required: bulwark login -u USER --password-stdin " +
                    (result.GetValue(server) ?? "SERVER"));
            }
            if (!string.IsNullOrEmpty(result.GetValue(password)))
            {
                await context.Error.WriteLineAsync("WARNING! Using --password via the CLI is insecure. Use --password-stdin.").ConfigureAwait(false);
            }

            using var client = context.CreateClient(result);
            var answer = await client.LoginAsync(new RegistryAuthConfig { Username = user, Password = secret, ServerAddress = key }, ct)
                .ConfigureAwait(false);
            store.Set(key, user, secret);
            await context.Out.WriteLineAsync(answer.Status).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Logout(CliContext context)
    {
        var server = new Argument<string?>("SERVER") { Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("logout", "Log out from a registry") { server };
        command.SetAction((result, _) => context.GuardAsync(async () =>
        {
            string key = CredentialStore.Normalize(result.GetValue(server));
            bool removed = CredentialStore.For(context).Remove(key);
            await context.Out.WriteLineAsync(removed ? "Removing login credentials for " + key : "Not logged in to " + key).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
