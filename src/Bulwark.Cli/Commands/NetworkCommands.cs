using System.CommandLine;
using Bulwark.Api.Models.Networks;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Commands;

/// <summary><c>network create|ls|inspect|rm|prune|connect|disconnect</c>, with docker's output.</summary>
internal static class NetworkCommands
{
    public static Command Network(CliContext context)
    {
        var command = new Command("network", "Manage networks");
        command.Subcommands.Add(Create(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Inspect(context));
        command.Subcommands.Add(Remove(context));
        command.Subcommands.Add(Prune(context));
        command.Subcommands.Add(Connect(context));
        command.Subcommands.Add(Disconnect(context));
        return command;
    }

    private static Command Create(CliContext context)
    {
        var driver = new Option<string>("--driver", "-d") { Description = "Driver to manage the Network", DefaultValueFactory = _ => "bridge" };
        var subnet = new Option<string[]>("--subnet") { Description = "Subnet in CIDR format that represents a network segment", Arity = ArgumentArity.OneOrMore };
        var gateway = new Option<string[]>("--gateway") { Description = "IPv4 or IPv6 Gateway for the master subnet", Arity = ArgumentArity.OneOrMore };
        var ipRange = new Option<string[]>("--ip-range") { Description = "Allocate container ip from a sub-range", Arity = ArgumentArity.OneOrMore };
        var @internal = new Option<bool>("--internal") { Description = "Restrict external access to the network" };
        var attachable = new Option<bool>("--attachable") { Description = "Enable manual container attachment" };
        var ipv6 = new Option<bool>("--ipv6") { Description = "Enable IPv6 networking" };
        var labels = new Option<string[]>("--label") { Description = "Set metadata on a network", Arity = ArgumentArity.OneOrMore };
        var opts = new Option<string[]>("--opt", "-o") { Description = "Set driver specific options", Arity = ArgumentArity.OneOrMore };
        var name = new Argument<string>("NETWORK");
        var command = new Command("create", "Create a network") { driver, subnet, gateway, ipRange, @internal, attachable, ipv6, labels, opts, name };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var subnets = result.GetValue(subnet) ?? [];
            var gateways = result.GetValue(gateway) ?? [];
            var ranges = result.GetValue(ipRange) ?? [];
            if (gateways.Length > subnets.Length || ranges.Length > subnets.Length)
            {
                throw new CliException(1, "every --gateway and --ip-range needs a --subnet to belong to (give them in the same order)");
            }

            var request = new NetworkCreateRequest
            {
                Name = result.GetValue(name),
                Driver = result.GetValue(driver),
                Internal = result.GetValue(@internal),
                Attachable = result.GetValue(attachable),
                EnableIPv6 = result.GetValue(ipv6) ? true : null,
                Labels = KeyValues.Parse(result.GetValue(labels), "--label"),
                Options = KeyValues.Parse(result.GetValue(opts), "--opt"),
                IPAM = subnets.Length == 0 ? null : new IpamDto
                {
                    Driver = "default",
                    Config = [.. subnets.Select((s, i) => new IpamConfigDto
                    {
                        Subnet = s,
                        Gateway = i < gateways.Length ? gateways[i] : null,
                        IPRange = i < ranges.Length ? ranges[i] : null,
                    })],
                },
            };
            using var client = context.CreateClient(result);
            var created = await client.NetworkCreateAsync(request, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(created.Id).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command List(CliContext context)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display network IDs" };
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Do not truncate the output" };
        var filter = new Option<string[]>("--filter", "-f") { Description = "Provide filter values (e.g. \"driver=bridge\")", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = FormatHelp.List };
        var command = new Command("ls", "List networks") { quiet, noTrunc, filter, format };
        command.Aliases.Add("list");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            var list = await client.NetworkListAsync(Filters.Parse(result.GetValue(filter) ?? []), ct).ConfigureAwait(false);
            var trunc = !result.GetValue(noTrunc);
            if (result.GetValue(quiet))
            {
                foreach (var n in list.OrderBy(n => n.Name, StringComparer.Ordinal))
                {
                    await context.Out.WriteLineAsync(trunc ? PsCommand.ShortId(n.Id) : n.Id).ConfigureAwait(false);
                }

                return 0;
            }

            var custom = ListFormat.Parse(result.GetValue(format))
                ?? ListFormat.Parse("table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}")!;
            await context.Out.WriteAsync(custom.Render(ListRows.Networks(list, !trunc), ListRows.NetworkHeaders)).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Inspect(CliContext context)
    {
        var format = new Option<string>("--format", "-f") { Description = FormatHelp.Inspect };
        var names = new Argument<string[]>("NETWORK") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Display detailed information on one or more networks") { format, names };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await InspectCommand.PrintAsync(context, result.GetValue(names)!, result.GetValue(format),
                n => client.NetworkInspectRawAsync(n, ct)).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var names = new Argument<string[]>("NETWORK") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove one or more networks") { names };
        command.Aliases.Add("remove");
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async n =>
            {
                await client.NetworkRemoveAsync(n, ct).ConfigureAwait(false);
                return n;
            }).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Prune(CliContext context)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var filter = new Option<string[]>("--filter") { Description = "Provide filter values (e.g. \"until=<timestamp>\")", Arity = ArgumentArity.OneOrMore };
        var command = new Command("prune", "Remove all unused networks") { force, filter };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            PruneCommands.RequireForce(result.GetValue(force), "networks");
            using var client = context.CreateClient(result);
            var pruned = await client.NetworkPruneAsync(Filters.Parse(result.GetValue(filter) ?? []), ct).ConfigureAwait(false);
            if (pruned.NetworksDeleted.Count > 0)
            {
                await context.Out.WriteAsync("Deleted Networks:\n" + string.Concat(pruned.NetworksDeleted.Select(n => n + "\n"))).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static Command Connect(CliContext context)
    {
        var ip = new Option<string>("--ip") { Description = "IPv4 address (e.g., \"172.30.100.104\")" };
        var aliases = new Option<string[]>("--alias") { Description = "Add network-scoped alias for the container", Arity = ArgumentArity.OneOrMore };
        var network = new Argument<string>("NETWORK");
        var container = new Argument<string>("CONTAINER");
        var command = new Command("connect", "Connect a container to a network") { ip, aliases, network, container };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            await client.NetworkConnectAsync(result.GetValue(network)!, new NetworkConnectRequest
            {
                Container = result.GetValue(container),
                EndpointConfig = new EndpointConfig
                {
                    IPAMConfig = result.GetValue(ip) is { Length: > 0 } address ? new EndpointIpamConfig { IPv4Address = address } : null,
                    Aliases = result.GetValue(aliases) is { Length: > 0 } a ? [.. a] : null,
                },
            }, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Disconnect(CliContext context)
    {
        var force = new Option<bool>("--force", "-f") { Description = "Force the container to disconnect from a network" };
        var network = new Argument<string>("NETWORK");
        var container = new Argument<string>("CONTAINER");
        var command = new Command("disconnect", "Disconnect a container from a network") { force, network, container };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            using var client = context.CreateClient(result);
            await client.NetworkDisconnectAsync(result.GetValue(network)!, new NetworkDisconnectRequest
            {
                Container = result.GetValue(container),
                Force = result.GetValue(force),
            }, ct).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

}
