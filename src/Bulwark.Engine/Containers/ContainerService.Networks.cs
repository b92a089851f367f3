using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks;

namespace Bulwark.Engine.Containers;

/// <summary>
/// Containers on user-defined networks: endpoints are allocated at create/connect and released at disconnect/remove;
/// runc makes the namespace (inside the container's user namespace), a createRuntime hook pins it under the exec root
/// and adds the veth pairs; they exist while the container runs.
/// Each such container gets bulwarkd-written /etc/hosts and /etc/resolv.conf, rewritten in place when peers change.
/// </summary>
public sealed partial class ContainerService
{
    private const string ResolvConf =
        "# written by bulwarkd: bulwark networks have no DNS server and no egress; peers are listed in /etc/hosts\n";

    /// <summary>True for a network mode naming a user-defined network (anything but "none" and "host").</summary>
    public static bool IsUserNetwork(string mode) => mode is not ("none" or "host");

    public NetworkService Networks => _networks;

    /// <summary>The networks the container is attached to and its endpoint on each.</summary>
    public IReadOnlyList<(NetworkRecord Network, EndpointRecord Endpoint)> NetworksOf(ContainerRecord r) => _networks.EndpointsOf(r.Id);

    /// <summary>The container's namespace file while it runs on a user network, else "".</summary>
    public string SandboxKey(ContainerRecord r) =>
        IsUserNetwork(r.Spec.Network.Mode) && r.State is ContainerState.Running or ContainerState.Paused ? _networks.Bridge.NetnsPath(r.Id) : "";

    private string HostsPath(string id) => Path.Combine(_store.DirectoryOf(id), "hosts");

    private string ResolvConfPath(string id) => Path.Combine(_store.DirectoryOf(id), "resolv.conf");

    /// <summary>Create time: the primary network and every EndpointsConfig entry get an endpoint; the etc files are written.</summary>
    private async Task AttachAtCreateAsync(string id, string name, ContainerSpec spec, CancellationToken ct)
    {
        var wanted = new List<string> { spec.Network.Mode };
        wanted.AddRange(spec.Network.Endpoints.Keys.Where(k => !_networks.TryGet(k, out var n) || !wanted.Contains(n.Name)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string reference in wanted)
        {
            var network = _networks.Get(reference);
            if (!seen.Add(network.Id))
            {
                continue;
            }
            var request = spec.Network.Endpoints.GetValueOrDefault(reference)
                ?? spec.Network.Endpoints.GetValueOrDefault(network.Name)
                ?? spec.Network.Endpoints.GetValueOrDefault(network.Id)
                ?? new EndpointRequest();
            await _networks.AllocateAsync(network.Id, id, name, request, ct).ConfigureAwait(false);
        }
        await File.WriteAllTextAsync(ResolvConfPath(id), ResolvConf, ct).ConfigureAwait(false);
        HostsFile.WriteInPlace(HostsPath(id), HostsFile.Render([], []));
    }

    /// <summary>The createRuntime hook script that wires the container's namespace (rewritten at every start).</summary>
    private string NetworkSetupScriptPath(string id) => Path.Combine(_store.DirectoryOf(id), "network-setup.sh");

    /// <summary>
    /// Start time: the bridges exist, and the hook script runc runs once it has made the namespace lists the current
    /// endpoints. On failure everything made here is undone.
    /// </summary>
    private async Task SetUpNetworkingAsync(ContainerRecord r, CancellationToken ct)
    {
        try
        {
            var endpoints = _networks.EndpointsOf(r.Id);
            foreach (var (network, _) in endpoints)
            {
                await _networks.Bridge.EnsureBridgeAsync(network, ct).ConfigureAwait(false);
            }
            // A namespace pinned by an earlier run that was never torn down (daemon killed) goes first.
            _networks.Bridge.EnsureNetnsDirectory();
            _networks.Bridge.RemoveNetns(r.Id);
            string script = NetworkSetupScriptPath(r.Id);
            await File.WriteAllTextAsync(script, _networks.Bridge.RenderSetupScript(r.Id, endpoints), ct).ConfigureAwait(false);
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch
        {
            await TearDownNetworkingAsync(r.Id).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Deletes the container's veth pairs and its namespace file. Idempotent; failures are logged.</summary>
    private async Task TearDownNetworkingAsync(string id)
    {
        foreach (var (_, endpoint) in _networks.EndpointsOf(id))
        {
            try
            {
                await _networks.Bridge.DetachAsync(endpoint, CancellationToken.None).ConfigureAwait(false);
            }
            catch (EngineException ex)
            {
                LogCleanupFailed(_logger, id, ex.Message);
            }
        }
        try
        {
            _networks.Bridge.RemoveNetns(id);
        }
        catch (Exception ex) when (ex is EngineException or IOException)
        {
            LogCleanupFailed(_logger, id, ex.Message);
        }
    }

    /// <summary>Remove time: networking down, endpoints released, peers' hosts files rewritten.</summary>
    private async Task ReleaseNetworksAsync(string id)
    {
        await TearDownNetworkingAsync(id).ConfigureAwait(false);
        var networks = _networks.EndpointsOf(id).Select(x => x.Network.Id).ToList();
        foreach (string networkId in networks)
        {
            await _networks.ReleaseAsync(networkId, id, CancellationToken.None).ConfigureAwait(false);
        }
        RefreshHosts(networks, exceptContainer: id);
    }

    /// <summary><c>docker network connect</c>: created or stopped containers get the endpoint at their next start, running ones at once.</summary>
    public async Task ConnectAsync(string containerReference, string networkReference, EndpointRequest request, CancellationToken ct)
    {
        var network = _networks.Get(networkReference);
        var entry = Find(containerReference);
        var r = entry.Record;
        if (!IsUserNetwork(r.Spec.Network.Mode))
        {
            throw EngineException.Invalid(
                $"container {r.Name} uses network mode \"{r.Spec.Network.Mode}\" and cannot be connected to network {network.Name}: " +
                "create it with --network <name> to use networks");
        }
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (r.State is ContainerState.Removing or ContainerState.Dead)
            {
                throw EngineException.Conflict($"container {r.Id} is marked for removal");
            }
            var (updated, endpoint) = await _networks.AllocateAsync(network.Id, r.Id, r.Name, request, ct).ConfigureAwait(false);
            if (r.State is ContainerState.Running or ContainerState.Paused)
            {
                try
                {
                    await _networks.Bridge.EnsureBridgeAsync(updated, ct).ConfigureAwait(false);
                    await _networks.Bridge.AttachAsync(_networks.Bridge.NetnsPath(r.Id), updated, endpoint, ct).ConfigureAwait(false);
                }
                catch
                {
                    await _networks.Bridge.DetachAsync(endpoint, CancellationToken.None).ConfigureAwait(false);
                    await _networks.ReleaseAsync(updated.Id, r.Id, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
            }
        }
        finally
        {
            entry.Gate.Release();
        }
        RefreshHosts([network.Id], exceptContainer: null);
    }

    /// <summary><c>docker network disconnect</c>: the endpoint goes (its veth at once when running) and its address is freed.</summary>
    public async Task DisconnectAsync(string containerReference, string networkReference, CancellationToken ct)
    {
        var network = _networks.Get(networkReference);
        var entry = Find(containerReference);
        var r = entry.Record;
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_networks.Get(network.Id).Endpoints.TryGetValue(r.Id, out var endpoint))
            {
                throw EngineException.Conflict($"container {r.Id} is not connected to network {network.Name}");
            }
            await _networks.Bridge.DetachAsync(endpoint, ct).ConfigureAwait(false);
            await _networks.ReleaseAsync(network.Id, r.Id, ct).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
        RefreshHosts([network.Id], exceptContainer: null);
        WriteHostsOf(r);
    }

    /// <summary>Rewrites the hosts file of every container on the given networks (in place: they are bind-mounted).</summary>
    private void RefreshHosts(IEnumerable<string> networkIds, string? exceptContainer)
    {
        var containers = new HashSet<string>(StringComparer.Ordinal);
        foreach (string id in networkIds)
        {
            if (_networks.TryGet(id, out var n))
            {
                containers.UnionWith(n.Endpoints.Keys);
            }
        }
        foreach (string id in containers)
        {
            if (id != exceptContainer && _entries.TryGetValue(id, out var entry))
            {
                WriteHostsOf(entry.Record);
            }
        }
    }

    private void WriteHostsOf(ContainerRecord r)
    {
        string path = HostsPath(r.Id);
        if (!File.Exists(path))
        {
            return;
        }
        var mine = _networks.EndpointsOf(r.Id);
        var own = mine.Select(x => new HostsEntry(x.Endpoint.IPv4Address, [r.Hostname, r.Name, .. x.Endpoint.Aliases]));
        var peers = mine.SelectMany(x => x.Network.Endpoints.Values
            .Where(p => p.ContainerId != r.Id)
            .Select(p => new HostsEntry(p.IPv4Address, [p.ContainerName, p.ContainerId[..12], .. p.Aliases])));
        try
        {
            HostsFile.WriteInPlace(path, HostsFile.Render(own, peers));
        }
        catch (IOException ex)
        {
            LogCleanupFailed(_logger, r.Id, "hosts file: " + ex.Message);
        }
    }

    /// <summary>Daemon start: namespaces of containers that are not running (or unknown) are removed.</summary>
    private async Task ReconcileNetworkingAsync()
    {
        await _networks.ForgetEndpointsExceptAsync(_entries.Keys.ToHashSet(StringComparer.Ordinal), CancellationToken.None).ConfigureAwait(false);
        foreach (string file in _networks.Bridge.NetnsFiles().ToList())
        {
            string id = Path.GetFileName(file);
            if (!_entries.TryGetValue(id, out var entry) || entry.Record.State is not (ContainerState.Running or ContainerState.Paused))
            {
                LogNetnsReconciled(_logger, id);
                await TearDownNetworkingAsync(id).ConfigureAwait(false);
            }
        }
        foreach (var entry in _entries.Values.Where(e => IsUserNetwork(e.Record.Spec.Network.Mode)))
        {
            WriteHostsOf(entry.Record);
        }
    }
}
