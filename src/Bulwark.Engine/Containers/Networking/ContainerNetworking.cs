using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks;
using Bulwark.Engine.Runtime.Oci;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers.Networking;

/// <summary>
/// Containers on user-defined networks: endpoints are allocated at create/connect and released at disconnect/remove;
/// runc makes the namespace (inside the container's user namespace), a createRuntime hook pins it under the exec root
/// and adds the veth pairs; they exist while the container runs.
/// Each such container gets bulwarkd-written /etc/hosts and /etc/resolv.conf, rewritten in place when peers change.
/// </summary>
internal sealed class ContainerNetworking(ContainerIndex index, ContainerLayout layout, NetworkService networks, Ports.PortPublisher ports, ILogger logger)
{
    private const string ResolvConf =
        "# written by bulwarkd: bulwark networks have no DNS server and no egress; peers are listed in /etc/hosts\n";

    /// <summary>True for a network mode naming a user-defined network (anything but "none" and "host").</summary>
    public static bool IsUserNetwork(string mode) => mode is not ("none" or "host");

    public NetworkService Networks => networks;

    /// <summary>Published ports (-p): opened by the starter, closed with the rest of the networking.</summary>
    public Ports.PortPublisher Ports => ports;

    /// <summary>True when the container has an endpoint on some network (its bundle then carries the wiring hook).</summary>
    public bool HasEndpoints(string id) => networks.EndpointsOf(id).Count > 0;

    /// <summary>The networks the container is attached to and its endpoint on each.</summary>
    public IReadOnlyList<(NetworkRecord Network, EndpointRecord Endpoint)> NetworksOf(ContainerRecord r) => networks.EndpointsOf(r.Id);

    /// <summary>The container's namespace file while it runs on a user network, else "".</summary>
    public string SandboxKey(ContainerRecord r) =>
        r.Spec.Network.Mode != "host" && r.State is ContainerState.Running or ContainerState.Paused && File.Exists(networks.Bridge.NetnsPath(r.Id))
            ? networks.Bridge.NetnsPath(r.Id) : "";


    /// <summary>Create time: the primary network and every EndpointsConfig entry get an endpoint; the etc files are written.</summary>
    public async Task AttachAtCreateAsync(string id, string name, ContainerSpec spec, CancellationToken ct)
    {
        var wanted = IsUserNetwork(spec.Network.Mode) ? new List<string> { spec.Network.Mode } : [];
        wanted.AddRange(spec.Network.Endpoints.Keys.Where(k => !networks.TryGet(k, out var n) || !wanted.Contains(n.Name)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string reference in wanted)
        {
            var network = networks.Get(reference);
            if (!seen.Add(network.Id))
            {
                continue;
            }
            var request = spec.Network.Endpoints.GetValueOrDefault(reference)
                ?? spec.Network.Endpoints.GetValueOrDefault(network.Name)
                ?? spec.Network.Endpoints.GetValueOrDefault(network.Id)
                ?? new EndpointRequest();
            CheckLinkTargets(request);
            await networks.AllocateAsync(network.Id, id, name, request, ct).ConfigureAwait(false);
        }
        await File.WriteAllTextAsync(layout.ResolvConfPath(id), ResolvConf, ct).ConfigureAwait(false);
        HostsFile.WriteInPlace(layout.HostsPath(id), HostsFile.Render([], []));
    }


    /// <summary>
    /// Start time: the bridges exist, and the hook script runc runs once it has made the namespace lists the current
    /// endpoints. On failure everything made here is undone.
    /// </summary>
    public async Task SetUpNetworkingAsync(ContainerRecord r, CancellationToken ct)
    {
        try
        {
            var endpoints = networks.EndpointsOf(r.Id);
            foreach (var (network, _) in endpoints)
            {
                await networks.Bridge.EnsureBridgeAsync(network, ct).ConfigureAwait(false);
            }
            // A namespace pinned by an earlier run that was never torn down (daemon killed) goes first.
            networks.Bridge.EnsureNetnsDirectory();
            networks.Bridge.RemoveNetns(r.Id);
            string script = layout.NetworkSetupScriptPath(r.Id);
            // Not connected anywhere (the default): loopback only, nothing to pin; a later connect pins the namespace.
            string body = endpoints.Count == 0 ? "read -r state || true\n" : networks.Bridge.RenderSetupScript(r.Id, endpoints);
            await File.WriteAllTextAsync(script, body, ct).ConfigureAwait(false);
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch
        {
            await TearDownNetworkingAsync(r.Id).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes its published ports, deletes the container's veth pairs and its namespace file. Idempotent; failures are logged.</summary>
    public async Task TearDownNetworkingAsync(string id)
    {
        ports.Close(id);
        foreach (var (_, endpoint) in networks.EndpointsOf(id))
        {
            try
            {
                await networks.Bridge.DetachAsync(endpoint, CancellationToken.None).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                ContainerLog.CleanupFailed(logger, id, ex.Message);
            }
        }
        try
        {
            networks.Bridge.RemoveNetns(id);
        }
        catch (Exception ex) when (ex is EngineException or IOException)
        {
            ContainerLog.CleanupFailed(logger, id, ex.Message);
        }
    }

    /// <summary>Remove time: networking down, endpoints released, peers' hosts files rewritten.</summary>
    public async Task ReleaseNetworksAsync(string id)
    {
        await TearDownNetworkingAsync(id).ConfigureAwait(false);
        var ids = networks.EndpointsOf(id).Select(x => x.Network.Id).ToList();
        foreach (string networkId in ids)
        {
            await networks.ReleaseAsync(networkId, id, CancellationToken.None).ConfigureAwait(false);
        }
        RefreshHosts(ids, exceptContainer: id);
    }

    /// <summary>
    /// <c>docker network connect</c>: created or stopped containers get the endpoint at their next start, running ones at
    /// once. A container created without a network (loopback only) can be connected too: its namespace is pinned and
    /// locked down at its first running connect. One created with an explicit <c>--network none</c> cannot (as in Docker).
    /// </summary>
    public async Task ConnectAsync(string containerReference, string networkReference, EndpointRequest request, CancellationToken ct)
    {
        var network = networks.Get(networkReference);
        var entry = index.Find(containerReference);
        var r = entry.Record;
        if (r.Spec.Network.Mode == "host")
        {
            // dockerd's wording.
            throw EngineException.Invalid("container cannot be disconnected from host network or connected to host network");
        }
        if (r.Spec.Network is { Mode: "none", Explicit: true })
        {
            // dockerd's wording: a container created with --network none stays private (only the default may be connected).
            throw EngineException.Invalid("container cannot be connected to multiple networks with one of the networks in private (none) mode");
        }
        CheckLinkTargets(request);
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (r.State is ContainerState.Removing or ContainerState.Dead)
            {
                throw EngineException.Conflict($"container {r.Id} is marked for removal");
            }
            var (updated, endpoint) = await networks.AllocateAsync(network.Id, r.Id, r.Name, request, ct).ConfigureAwait(false);
            EnsureSetupHook(r.Id);
            if (r.State is ContainerState.Running or ContainerState.Paused)
            {
                try
                {
                    await networks.Bridge.EnsureBridgeAsync(updated, ct).ConfigureAwait(false);
                    await networks.Bridge.PinAsync(r.Id, r.Pid, ct).ConfigureAwait(false);
                    await networks.Bridge.AttachAsync(networks.Bridge.NetnsPath(r.Id), updated, endpoint, ct).ConfigureAwait(false);
                }
                catch
                {
                    await networks.Bridge.DetachAsync(endpoint, CancellationToken.None).ConfigureAwait(false);
                    await networks.ReleaseAsync(updated.Id, r.Id, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
            }
        }
        RefreshHosts([network.Id], exceptContainer: null);
    }

    /// <summary>
    /// A container created without a network has no wiring hook in its bundle (runc would run a shell for nothing at
    /// every start); its first connect adds it, so every later start wires the namespace. The hook stays after a
    /// disconnect: with no endpoints the script only reads runc's state.
    /// </summary>
    private void EnsureSetupHook(string id)
    {
        string bundle = layout.DirectoryOf(id);
        var spec = OciBundle.Read(id, bundle);
        if (spec.Hooks?.CreateRuntime is { Count: > 0 })
        {
            return;
        }
        OciBundle.Write(bundle, spec with { Hooks = OciSpecBuilder.NetworkSetupHooks(layout.NetworkSetupScriptPath(id)) });
    }

    /// <summary><c>docker network disconnect</c>: the endpoint goes (its veth at once when running) and its address is freed.</summary>
    public async Task DisconnectAsync(string containerReference, string networkReference, CancellationToken ct)
    {
        if (networkReference == "none")
        {
            await LeaveNoneAsync(containerReference, ct).ConfigureAwait(false);
            return;
        }
        var network = networks.Get(networkReference);
        var entry = index.Find(containerReference);
        var r = entry.Record;
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (!networks.Get(network.Id).Endpoints.TryGetValue(r.Id, out var endpoint))
            {
                throw EngineException.Conflict($"container {r.Id} is not connected to network {network.Name}");
            }
            await networks.Bridge.DetachAsync(endpoint, ct).ConfigureAwait(false);
            await networks.ReleaseAsync(network.Id, r.Id, ct).ConfigureAwait(false);
        }
        RefreshHosts([network.Id], exceptContainer: null);
        WriteHostsOf(r);
    }

    /// <summary>
    /// <c>docker network disconnect none C</c>, Docker's way to let a container created with <c>--network none</c> be
    /// connected: it keeps loopback only, but becomes connectable like one created without a network mode.
    /// </summary>
    private async Task LeaveNoneAsync(string containerReference, CancellationToken ct)
    {
        var entry = index.Find(containerReference);
        var r = entry.Record;
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            if (r.Spec.Network is not { Mode: "none", Explicit: true })
            {
                throw EngineException.Conflict($"container {r.Id} is not connected to network none");
            }
            r.Spec = r.Spec with { Network = r.Spec.Network with { Explicit = false } };
            index.Save(entry);
        }
    }

    /// <summary>A --link must name an existing container (dockerd's words; a 400, so the docker CLI does not read it as a missing image).</summary>
    private void CheckLinkTargets(EndpointRequest request)
    {
        foreach (string link in request.Links)
        {
            string target = EndpointLinks.Target(EndpointLinks.Normalize(link));
            try
            {
                _ = index.Find(target);
            }
            catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
            {
                throw EngineException.Invalid($"could not get container for {target}");
            }
        }
    }

    /// <summary>Rewrites the hosts file of every container on the given networks (in place: they are bind-mounted).</summary>
    public void RefreshHosts(IEnumerable<string> networkIds, string? exceptContainer)
    {
        var containers = new HashSet<string>(StringComparer.Ordinal);
        foreach (string id in networkIds)
        {
            if (networks.TryGet(id, out var n))
            {
                containers.UnionWith(n.Endpoints.Keys);
            }
        }
        foreach (string id in containers)
        {
            if (id != exceptContainer && index.TryGet(id, out var entry))
            {
                WriteHostsOf(entry.Record);
            }
        }
    }

    public void WriteHostsOf(ContainerRecord r)
    {
        string path = layout.HostsPath(r.Id);
        if (!File.Exists(path))
        {
            return;
        }
        var mine = networks.EndpointsOf(r.Id);
        var own = mine.SelectMany(x => AddressesOf(x.Endpoint).Select(a => new HostsEntry(a, [r.Hostname, r.Name, .. x.Endpoint.Aliases])));
        var peers = mine.SelectMany(x => x.Network.Endpoints.Values
            .Where(p => p.ContainerId != r.Id)
            .SelectMany(p => AddressesOf(p).Select(a => new HostsEntry(a, [p.ContainerName, p.ContainerId[..12], .. p.Aliases]))));
        // --link name:alias: the alias resolves for this container only, to the target's address on the same network.
        var linked = mine.SelectMany(x => x.Endpoint.Links.SelectMany(link => x.Network.Endpoints.Values
            .Where(p => p.ContainerId != r.Id && (p.ContainerName == EndpointLinks.Target(link) || p.ContainerId.StartsWith(EndpointLinks.Target(link), StringComparison.Ordinal)))
            .Take(1)
            .Select(p => new HostsEntry(p.IPv4Address, [EndpointLinks.Alias(link)]))));
        peers = linked.Concat(peers);
        try
        {
            HostsFile.WriteInPlace(path, HostsFile.Render(own, peers));
        }
        catch (IOException ex)
        {
            ContainerLog.CleanupFailed(logger, r.Id, "hosts file: " + ex.Message);
        }
    }

    private static IEnumerable<string> AddressesOf(EndpointRecord e) => e.IPv6Address is { } v6 ? [e.IPv4Address, v6] : [e.IPv4Address];

    /// <summary>Daemon start: namespaces of containers that are not running (or unknown) are removed.</summary>
    public async Task ReconcileAsync()
    {
        await networks.ForgetEndpointsExceptAsync(index.Ids.ToHashSet(StringComparer.Ordinal), CancellationToken.None).ConfigureAwait(false);
        foreach (string file in networks.Bridge.NetnsFiles().ToList())
        {
            string id = Path.GetFileName(file);
            if (!index.TryGet(id, out var entry) || entry.Record.State is not (ContainerState.Running or ContainerState.Paused))
            {
                ContainerLog.NetnsReconciled(logger, id);
                await TearDownNetworkingAsync(id).ConfigureAwait(false);
            }
        }
        foreach (var entry in index.Handles.Where(e => e.Record.Spec.Network.Mode != "host"))
        {
            WriteHostsOf(entry.Record);
        }
    }

    /// <summary>After a rename: the container's endpoints carry the new name and every peer's hosts file says so.</summary>
    public async Task RenameAsync(ContainerRecord r, CancellationToken ct)
    {
        if (r.Spec.Network.Mode != "host")
        {
            await networks.RenameEndpointsAsync(r.Id, r.Name, ct).ConfigureAwait(false);
            RefreshHosts(networks.EndpointsOf(r.Id).Select(x => x.Network.Id).ToList(), exceptContainer: null);
        }
    }
}
