using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Networks;

/// <summary>
/// User-defined bridge networks: records, subnet and address allocation, and their bridges on the host. Containers
/// attach through <see cref="Containers.ContainerService"/>, which owns their namespaces and hosts files.
/// </summary>
public sealed partial class NetworkService
{
    /// <summary>Names Docker reserves for its predefined networks; "none" and "host" are the modes containers may use.</summary>
    public static readonly IReadOnlyList<string> PredefinedNames = ["none", "host", "bridge", "default"];

    // dockerd (libnetwork) refuses only an empty name: spaces and punctuation are allowed ("test 01"). Control characters
    // are refused here too: a name is printed in lists and logs.
    private static readonly Regex ValidName = new(@"^[^\x00-\x1f\x7f]{1,255}$", RegexOptions.CultureInvariant);
    private readonly NetworkStore _store;
    private readonly LinuxBridge _bridge;
    private readonly Egress.EgressFirewall _egress = new();
    private readonly EventBus _events;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, NetworkRecord> _networks = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public NetworkService(EngineOptions options, EventBus events, ILogger<NetworkService> logger)
    {
        _store = new NetworkStore(options.DataRoot);
        _bridge = new LinuxBridge(options.ExecRoot);
        _events = events;
        _logger = logger;
    }

    internal LinuxBridge Bridge => _bridge;

    // ---------------------------------------------------------------- queries

    public IReadOnlyList<NetworkRecord> List() => [.. _networks.Values.OrderBy(n => n.Name, StringComparer.Ordinal)];

    /// <summary>By full id, exact name, or unique id prefix (Docker's order).</summary>
    public NetworkRecord Get(string reference) =>
        TryGet(reference, out var n) ? n : throw EngineException.NotFound($"network {reference} not found");

    public bool TryGet(string reference, out NetworkRecord network)
    {
        if (!string.IsNullOrEmpty(reference))
        {
            if (_networks.TryGetValue(reference, out network!))
            {
                return true;
            }
            var byName = _networks.Values.FirstOrDefault(n => n.Name == reference);
            if (byName is not null)
            {
                network = byName;
                return true;
            }
            var byPrefix = _networks.Values.Where(n => n.Id.StartsWith(reference, StringComparison.Ordinal)).Take(2).ToList();
            if (byPrefix.Count > 1)
            {
                throw EngineException.Invalid($"network {reference} is ambiguous ({byPrefix.Count} matches found based on ID prefix)");
            }
            if (byPrefix.Count == 1)
            {
                network = byPrefix[0];
                return true;
            }
        }
        network = null!;
        return false;
    }

    /// <summary>Every network the container is attached to, in attachment order.</summary>
    public IReadOnlyList<(NetworkRecord Network, EndpointRecord Endpoint)> EndpointsOf(string containerId) =>
        [.. _networks.Values
            .Select(n => (Network: n, Endpoint: n.Endpoints.GetValueOrDefault(containerId)))
            .Where(x => x.Endpoint is not null)
            .Select(x => (x.Network, x.Endpoint!))
            .OrderBy(x => x.Item2.Interface, StringComparer.Ordinal)];

    // ---------------------------------------------------------------- create / remove / prune

    /// <summary>Creates the record and its bridge. The warning says what bulwark networks do not provide.</summary>
    public async Task<(NetworkRecord Network, string Warning)> CreateAsync(NetworkCreateSpec spec, CancellationToken ct)
    {
        ValidateSpec(spec);
        var bulwarkOptions = NetworkOptionNames.Parse(spec.Options);
        if (bulwarkOptions.Egress.Enabled)
        {
            if (spec.Internal)
            {
                throw EngineException.Invalid($"--internal and {NetworkOptionNames.EgressKey}=true contradict each other: choose one");
            }
            Egress.EgressFirewall.RequireHostSupport();
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_networks.Values.Any(n => n.Name == spec.Name))
            {
                throw EngineException.Conflict($"network with name {spec.Name} already exists");
            }
            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var ours = _networks.Values.Select(n => n.BridgeName).ToHashSet(StringComparer.Ordinal);
            var host = await HostAddressSpace.ReadAsync(ours, ct).ConfigureAwait(false);
            var inUse = _networks.Values.Select(n => n.ParsedSubnet).Concat(host.Select(h => h.Subnet)).ToList();

            Ipv4Subnet subnet;
            if (spec.Subnet is { } requested)
            {
                subnet = Ipv4Subnet.Parse(requested, "subnet");
                if (subnet.PrefixLength > 30)
                {
                    throw EngineException.Invalid($"invalid subnet {requested}: a network needs at least a /30");
                }
                if (SubnetAllocator.FirstOverlap(subnet, inUse) is { } clash)
                {
                    throw EngineException.Invalid($"invalid pool request: Pool overlaps with other one on this address space ({subnet} overlaps {clash})");
                }
            }
            else
            {
                subnet = SubnetAllocator.PickAutomatic(inUse)
                    ?? throw new EngineException(ErrorKind.Unavailable,
                        "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
            }
            uint gateway = spec.Gateway is { Length: > 0 } gw ? Ipv4Subnet.ParseAddress(gw, "gateway") : subnet.Network + 1;
            if (!subnet.Contains(gateway) || gateway == subnet.Network || gateway == subnet.Broadcast)
            {
                throw EngineException.Invalid($"invalid gateway {Ipv4Subnet.Format(gateway)}: not a host address of subnet {subnet}");
            }
            string? range = null;
            if (spec.IpRange is { Length: > 0 } r)
            {
                var parsed = Ipv4Subnet.Parse(r, "ip-range");
                if (!subnet.Covers(parsed))
                {
                    throw EngineException.Invalid($"invalid ip-range {r}: it is not inside subnet {subnet}");
                }
                range = parsed.ToString();
            }

            var (subnet6, gateway6) = spec.EnableIPv6 ? PlanIpv6(spec) : (null, null);
            var record = new NetworkRecord
            {
                Id = id,
                Name = spec.Name,
                Created = DateTimeOffset.UtcNow,
                Labels = spec.Labels.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Options = spec.Options.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Internal = spec.Internal,
                Subnet = subnet.ToString(),
                Gateway = Ipv4Subnet.Format(gateway),
                IpRange = range,
                UserSubnet = spec.Subnet is not null,
                EnableIPv6 = spec.EnableIPv6,
                Subnet6 = subnet6,
                Gateway6 = gateway6,
            };
            _store.Save(record);
            try
            {
                await _bridge.EnsureBridgeAsync(record, ct).ConfigureAwait(false);
                if (bulwarkOptions.Egress.Enabled)
                {
                    await _egress.ApplyAsync(record, bulwarkOptions.Egress, ct).ConfigureAwait(false);
                }
            }
            catch
            {
                _store.Delete(record.Id);
                await _egress.RemoveAsync(record, CancellationToken.None).ConfigureAwait(false);
                await _bridge.DeleteBridgeAsync(record, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            _networks[id] = record;
            Publish(record, "create");
            string warning = spec.Internal || bulwarkOptions.Egress.Enabled
                ? ""
                : "bulwark networks are internal: containers reach each other and the gateway, but there is no egress (no NAT, no forwarding, no default route)";
            return (record, warning);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The IPv6 subnet (given or a random unique local /64, not overlapping another network's) and gateway.</summary>
    private (string Subnet, string Gateway) PlanIpv6(NetworkCreateSpec spec)
    {
        var subnet = spec.Subnet6 is { } given ? Ipv6Subnet.Parse(given, "subnet") : Ipv6Subnet.RandomUniqueLocal();
        if (_networks.Values.Select(n => n.ParsedSubnet6).FirstOrDefault(other => other is { } o && o.Overlaps(subnet)) is { } clash)
        {
            throw EngineException.Invalid($"invalid pool request: Pool overlaps with other one on this address space ({subnet} overlaps {clash})");
        }
        var gateway = spec.Gateway6 is { Length: > 0 } gw ? Ipv6Subnet.ParseAddress(gw, "gateway") : subnet.At(1);
        if (!subnet.IsHostAddress(gateway))
        {
            throw EngineException.Invalid($"invalid gateway {gateway}: not a host address of subnet {subnet}");
        }
        return (subnet.ToString(), gateway.ToString());
    }

    private static void ValidateSpec(NetworkCreateSpec spec)
    {
        if (PredefinedNames.Contains(spec.Name))
        {
            throw EngineException.Forbidden("predefined-network", $"operation is not permitted on predefined {spec.Name} network");
        }
        if (string.IsNullOrWhiteSpace(spec.Name) || !ValidName.IsMatch(spec.Name))
        {
            throw EngineException.Invalid($"invalid network name \"{spec.Name}\": it must be 1 to 255 characters, not only spaces, without control characters");
        }
        if (spec.Driver is not ("bridge" or ""))
        {
            throw EngineException.Invalid($"network driver \"{spec.Driver}\" is not supported: only the bridge driver is available");
        }
        if (spec.IpamDriver is not ("default" or ""))
        {
            throw EngineException.Invalid($"IPAM driver \"{spec.IpamDriver}\" is not supported: only the default IPAM driver is available");
        }
        if (spec.IpamConfigCount > 1)
        {
            throw EngineException.Invalid("IPAM.Config: only one IPv4 subnet per network is supported");
        }
        if (spec.Subnet is null && (spec.Gateway is { Length: > 0 } || spec.IpRange is { Length: > 0 }))
        {
            throw EngineException.Invalid("IPAM.Config: a gateway or ip-range needs a subnet (--subnet)");
        }
        foreach (var key in spec.Options.Keys)
        {
            if (key.StartsWith("com.docker.network.bridge.enable_ip_masquerade", StringComparison.Ordinal) && spec.Options[key] == "true")
            {
                throw EngineException.Invalid(
                    $"driver option {key}=true is not supported: bulwark networks have no egress unless created with {NetworkOptionNames.EgressKey}=true");
            }
        }
    }

    /// <summary>Removes a network without endpoints and its bridge.</summary>
    public async Task RemoveAsync(string reference, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var n = Get(reference);
            if (!n.Endpoints.IsEmpty)
            {
                throw EngineException.Conflict($"error while removing network: network {n.Name} id {n.Id} has active endpoints");
            }
            await RemoveLockedAsync(n, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RemoveLockedAsync(NetworkRecord n, CancellationToken ct)
    {
        await _egress.RemoveAsync(n, ct).ConfigureAwait(false);
        await _bridge.DeleteBridgeAsync(n, ct).ConfigureAwait(false);
        _store.Delete(n.Id);
        _networks.TryRemove(n.Id, out _);
        Publish(n, "destroy");
    }

    /// <summary>Removes every network without endpoints that <paramref name="match"/> accepts; returns their names.</summary>
    public async Task<IReadOnlyList<string>> PruneAsync(Func<NetworkRecord, bool> match, CancellationToken ct)
    {
        var removed = new List<string>();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var n in _networks.Values.Where(n => n.Endpoints.IsEmpty && match(n)).ToList())
            {
                await RemoveLockedAsync(n, ct).ConfigureAwait(false);
                removed.Add(n.Name);
            }
        }
        finally
        {
            _gate.Release();
        }
        return removed;
    }

    // ---------------------------------------------------------------- endpoints (called by ContainerService)

    /// <summary>Allocates an address and records the endpoint. The container's own gate is held by the caller.</summary>
    public async Task<(NetworkRecord Network, EndpointRecord Endpoint)> AllocateAsync(
        string networkReference, string containerId, string containerName, EndpointRequest request, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var n = Get(networkReference);
            if (n.Endpoints.ContainsKey(containerId))
            {
                throw EngineException.Conflict($"endpoint with name {containerName} already exists in network {n.Name}");
            }
            var subnet = n.ParsedSubnet;
            var range = n.IpRange is { } r ? Ipv4Subnet.Parse(r, "ip-range") : subnet;
            var used = n.Endpoints.Values.Select(e => Ipv4Subnet.ParseAddress(e.IPv4Address, "address")).ToHashSet();
            used.Add(Ipv4Subnet.ParseAddress(n.Gateway, "gateway"));
            uint address;
            if (request.IPv4Address is { Length: > 0 } wanted)
            {
                address = Ipv4Subnet.ParseAddress(wanted, "IPv4 address");
                if (!subnet.Contains(address) || address == subnet.Network || address == subnet.Broadcast)
                {
                    throw EngineException.Invalid($"invalid IPv4 address {wanted}: it is not a host address of network {n.Name} ({n.Subnet})");
                }
                if (used.Contains(address))
                {
                    throw EngineException.Conflict($"Address already in use: {wanted} on network {n.Name}");
                }
            }
            else
            {
                address = FirstFree(subnet, range, used)
                    ?? throw new EngineException(ErrorKind.Unavailable, $"no available IPv4 addresses on network {n.Name} ({n.Subnet})");
            }
            string? v6 = AllocateIpv6(n, request);
            string mac = request.MacAddress is { Length: > 0 } wantedMac ? MacAddresses.Parse(wantedMac) : MacFor(address);
            if (request.MacAddress is { Length: > 0 } && n.Endpoints.Values.FirstOrDefault(e => e.MacAddress == mac) is { } holder)
            {
                throw EngineException.Conflict($"MAC address {mac} is already in use on network {n.Name} (by {holder.ContainerName})");
            }
            var taken = EndpointsOf(containerId).Select(x => x.Endpoint.Interface).ToHashSet(StringComparer.Ordinal);
            string iface = Enumerable.Range(0, 64).Select(i => "eth" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .First(i => !taken.Contains(i));
            var endpoint = new EndpointRecord
            {
                ContainerId = containerId,
                ContainerName = containerName,
                EndpointId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
                IPv4Address = Ipv4Subnet.Format(address),
                MacAddress = mac,
                RequestedMac = request.MacAddress is { Length: > 0 },
                Links = [.. request.Links.Select(EndpointLinks.Normalize).Distinct(StringComparer.Ordinal)],
                Aliases = [.. request.Aliases.Where(a => a.Length > 0).Distinct(StringComparer.Ordinal)],
                RequestedAddress = request.IPv4Address is { Length: > 0 } ? Ipv4Subnet.Format(address) : null,
                IPv6Address = v6,
                RequestedIPv6Address = request.IPv6Address is { Length: > 0 } ? v6 : null,
                Interface = iface,
                Attached = DateTimeOffset.UtcNow,
            };
            foreach (string alias in endpoint.Aliases.Where(a => !HostsFile.IsValidName(a)))
            {
                throw EngineException.Invalid($"invalid network alias \"{alias}\"");
            }
            var updated = n with { Endpoints = n.Endpoints.SetItem(containerId, endpoint) };
            _store.Save(updated);
            _networks[n.Id] = updated;
            Publish(updated, "connect", ("container", containerId));
            return (updated, endpoint);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The endpoint's IPv6 address: the one asked for (--ip6) or the first free one; null on an IPv4-only network.</summary>
    private static string? AllocateIpv6(NetworkRecord n, EndpointRequest request)
    {
        if (n.ParsedSubnet6 is not { } subnet)
        {
            return request.IPv6Address is { Length: > 0 } asked
                ? throw EngineException.Invalid($"invalid IPv6 address {asked}: network {n.Name} has no IPv6 subnet (create it with --ipv6)")
                : null;
        }
        var used = n.Endpoints.Values.Where(e => e.IPv6Address is not null).Select(e => e.IPv6Address!).ToHashSet(StringComparer.Ordinal);
        used.Add(n.Gateway6!);
        if (request.IPv6Address is { Length: > 0 } wanted)
        {
            var address = Ipv6Subnet.ParseAddress(wanted, "IPv6 address");
            if (!subnet.IsHostAddress(address))
            {
                throw EngineException.Invalid($"invalid IPv6 address {wanted}: it is not a host address of network {n.Name} ({subnet})");
            }
            return used.Contains(address.ToString())
                ? throw EngineException.Conflict($"Address already in use: {wanted} on network {n.Name}")
                : address.ToString();
        }
        return subnet.FirstFree(used)?.ToString()
            ?? throw new EngineException(ErrorKind.Unavailable, $"no available IPv6 addresses on network {n.Name} ({subnet})");
    }

    /// <summary>Forgets the endpoint (its address becomes free). Idempotent.</summary>
    public async Task<EndpointRecord?> ReleaseAsync(string networkId, string containerId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_networks.TryGetValue(networkId, out var n) || !n.Endpoints.TryGetValue(containerId, out var endpoint))
            {
                return null;
            }
            var updated = n with { Endpoints = n.Endpoints.Remove(containerId) };
            _store.Save(updated);
            _networks[n.Id] = updated;
            Publish(updated, "disconnect", ("container", containerId));
            return endpoint;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A renamed container keeps its endpoints under its new name (peers' hosts files list it by that name).</summary>
    public async Task RenameEndpointsAsync(string containerId, string newName, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var n in _networks.Values.Where(n => n.Endpoints.ContainsKey(containerId)).ToList())
            {
                var updated = n with { Endpoints = n.Endpoints.SetItem(containerId, n.Endpoints[containerId] with { ContainerName = newName }) };
                _store.Save(updated);
                _networks[n.Id] = updated;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Docker's scheme: 02:42 followed by the four address bytes (unique per network, stable).</summary>
    internal static string MacFor(uint address) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"02:42:{address >> 24:x2}:{(address >> 16) & 0xFF:x2}:{(address >> 8) & 0xFF:x2}:{address & 0xFF:x2}");

    internal static uint? FirstFree(Ipv4Subnet subnet, Ipv4Subnet range, IReadOnlySet<uint> used)
    {
        uint first = Math.Max(range.Network, subnet.Network + 1);
        uint last = Math.Min(range.Broadcast, subnet.Broadcast - 1);
        for (uint a = first; a <= last && a >= first; a++)
        {
            if (!used.Contains(a))
            {
                return a;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- restore

    /// <summary>Loads the records and makes sure every bridge exists (after a reboot they are gone).</summary>
    public async Task RestoreAsync(CancellationToken ct)
    {
        foreach (var record in _store.LoadAll())
        {
            _networks[record.Id] = record;
            try
            {
                await _bridge.EnsureBridgeAsync(record, ct).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                LogBridgeFailed(_logger, record.Name, ex.Message);
            }
        }
        try
        {
            await _egress.ReconcileAsync([.. _networks.Values], ct).ConfigureAwait(false);
        }
        catch (EngineException ex)
        {
            LogBridgeFailed(_logger, "(egress firewall)", ex.Message);
        }
    }

    /// <summary>An egress network's nftables counters; null for a network without egress (or when its rules are missing).</summary>
    public async Task<Egress.EgressCounters?> ReadEgressCountersAsync(NetworkRecord n, CancellationToken ct) =>
        NetworkOptionNames.Parse(n.Options).Egress.Enabled ? await _egress.ReadCountersAsync(n, ct).ConfigureAwait(false) : null;

    /// <summary>Daemon start: endpoints of containers that no longer exist (removed mid-crash) free their addresses.</summary>
    public async Task ForgetEndpointsExceptAsync(IReadOnlySet<string> knownContainers, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var n in _networks.Values.ToList())
            {
                var stale = n.Endpoints.Keys.Where(c => !knownContainers.Contains(c)).ToList();
                if (stale.Count > 0)
                {
                    var updated = n with { Endpoints = n.Endpoints.RemoveRange(stale) };
                    _store.Save(updated);
                    _networks[n.Id] = updated;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Publish(NetworkRecord n, string action, params (string Key, string Value)[] extra)
    {
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = n.Name, ["type"] = n.Driver };
        foreach (var (k, v) in extra)
        {
            attrs[k] = v;
        }
        _events.Publish(new EngineEvent("network", action, n.Id, attrs, DateTimeOffset.UtcNow));
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "network {Name}: its bridge could not be set up: {Error}")]
    private static partial void LogBridgeFailed(ILogger logger, string name, string error);
}
