using System.CommandLine;
using Bulwark.Cli.Tls;

namespace Bulwark.Cli.Commands;

/// <summary><c>tls init</c> (a private CA and a server certificate) and <c>tls issue-client NAME</c> (a client certificate).</summary>
internal static class TlsCommands
{
    public static Command Tls(CliContext context)
    {
        var command = new Command("tls", "Create the certificates for bulwarkd's mutual TLS (tcp://)");
        command.Subcommands.Add(Init(context));
        command.Subcommands.Add(IssueClient(context));
        return command;
    }

    private static Option<string> DirOption() => new("--dir")
    {
        Description = "Directory of the CA and server files (default /etc/bulwark/tls as root, else ~/.bulwark/tls)",
    };

    private static Option<int> DaysOption() => new("--days") { Description = "Validity of the issued certificate in days", DefaultValueFactory = _ => 365 };

    private static Option<bool> ForceOption() => new("--force") { Description = "Replace existing files" };

    private static string DefaultDir() => Environment.IsPrivilegedProcess
        ? "/etc/bulwark/tls"
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bulwark", "tls");

    private static Command Init(CliContext context)
    {
        var dir = DirOption();
        var days = DaysOption();
        var force = ForceOption();
        var sans = new Option<string[]>("--san")
        {
            Description = "Extra DNS name or IP address of the server (repeatable; localhost, 127.0.0.1, ::1 and the host name are always included)",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("init", "Create a private CA (ca.pem, ca-key.pem) and a server certificate (server-cert.pem, server-key.pem)")
        {
            dir, days, force, sans,
        };
        command.SetAction((result, _) => context.GuardAsync(async () =>
        {
            string target = result.GetValue(dir) ?? DefaultDir();
            string[] names = ["localhost", "127.0.0.1", "::1", Environment.MachineName, .. result.GetValue(sans) ?? []];
            var written = CertificateAuthority.Init(target, names.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), result.GetValue(days), result.GetValue(force));
            foreach (string f in written)
            {
                await context.Out.WriteLineAsync(f).ConfigureAwait(false);
            }
            await context.Out.WriteLineAsync(
                $"start the daemon with: bulwarkd --tlsverify --tlscacert {written[0]} --tlscert {written[2]} --tlskey {written[3]} -H tcp://0.0.0.0:2376")
                .ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command IssueClient(CliContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The client's name: its certificate's CN, bound to a role as cert:NAME" };
        var dir = DirOption();
        var days = DaysOption();
        var force = ForceOption();
        var output = new Option<string>("--out", "-o") { Description = "Where to write ca.pem, cert.pem, key.pem (default <dir>/clients/NAME)" };
        var command = new Command("issue-client", "Issue a client certificate signed by the CA (for DOCKER_CERT_PATH)") { name, dir, days, force, output };
        command.SetAction((result, _) => context.GuardAsync(async () =>
        {
            string caDir = result.GetValue(dir) ?? DefaultDir();
            string client = result.GetValue(name)!;
            string outDir = result.GetValue(output) ?? Path.Combine(caDir, "clients", client);
            var written = CertificateAuthority.Load(caDir).IssueClient(client, outDir, result.GetValue(days), result.GetValue(force));
            foreach (string f in written)
            {
                await context.Out.WriteLineAsync(f).ConfigureAwait(false);
            }
            await context.Out.WriteLineAsync($"use with: DOCKER_CERT_PATH={outDir} DOCKER_TLS_VERIFY=1 DOCKER_HOST=tcp://HOST:2376").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}
