using System.CommandLine;
using System.Globalization;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark port CONTAINER [PRIVATE_PORT[/PROTO]]</c>: the host addresses a container's ports are published on.</summary>
internal static class PortCommand
{
    public static Command Create(CliContext context)
    {
        var container = new Argument<string>("CONTAINER") { Description = "Container name or id" };
        var privatePort = new Argument<string?>("PRIVATE_PORT") { Description = "Container port, optionally with /tcp or /udp", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("port", "List port mappings or a specific mapping for the container") { container, privatePort };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var inspect = await client.ContainerInspectAsync(result.GetValue(container)!, ct).ConfigureAwait(false);
            var ports = inspect.NetworkSettings.Ports;
            string name = inspect.Name.TrimStart('/');
            if (result.GetValue(privatePort) is { Length: > 0 } wanted)
            {
                string key = wanted.Contains('/', StringComparison.Ordinal) ? wanted.ToLowerInvariant() : wanted + "/tcp";
                if (!ports.TryGetValue(key, out var bindings) || bindings is not { Count: > 0 })
                {
                    throw new CliException(1, $"Error: No public port '{key}' published for {name}");
                }
                await context.Out.WriteAsync(string.Concat(bindings.Select(b => HostAddress(b.HostIp, b.HostPort) + "\n"))).ConfigureAwait(false);
                return 0;
            }
            var lines = ports
                .Where(kv => kv.Value is { Count: > 0 })
                .OrderBy(kv => int.Parse(kv.Key.Split('/')[0], CultureInfo.InvariantCulture))
                .ThenBy(kv => kv.Key, StringComparer.Ordinal)
                .SelectMany(kv => kv.Value!.Select(b => $"{kv.Key} -> {HostAddress(b.HostIp, b.HostPort)}\n"));
            await context.Out.WriteAsync(string.Concat(lines)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static string HostAddress(string ip, string port) =>
        (ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip) + ":" + port;
}
