using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Native;

namespace Bulwark.Engine.Networks;

/// <summary>
/// Realises networks on the host with iproute2 and util-linux: one Linux bridge per network carrying the gateway
/// address, one veth pair per endpoint, and one network namespace per container bind-mounted at
/// <c>&lt;exec-root&gt;/netns/&lt;id&gt;</c> (owned by the initial user namespace, so root in a user-namespaced container
/// cannot reconfigure it). Nothing here creates NAT, iptables rules or default routes: the kernel never forwards a
/// packet that arrives on a bulwark bridge (per-interface forwarding=0), and containers only have their subnet routes.
/// </summary>
internal sealed class LinuxBridge
{
    /// <summary>
    /// Run inside a fresh namespace before any interface enters it: no IPv6, no forwarding, lo up. The namespace
    /// belongs to the host's user namespace, so a user-namespaced container's root holds no capability over it: ports
    /// below 1024 and ICMP echo sockets are opened to every uid of the namespace (as rootless engines do).
    /// </summary>
    private const string NetnsInitScript =
        "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; " +
        "echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start && echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range && " +
        "echo 0 > /proc/sys/net/ipv4/ip_forward && echo 0 > /proc/sys/net/ipv4/conf/all/forwarding && " +
        "echo 0 > /proc/sys/net/ipv4/conf/default/forwarding && exec ip link set lo up";

    private readonly string _netnsDir;

    public LinuxBridge(string execRoot)
    {
        _netnsDir = Path.Combine(execRoot, "netns");
    }

    public string NetnsPath(string containerId) => Path.Combine(_netnsDir, containerId);

    public IEnumerable<string> NetnsFiles() => Directory.Exists(_netnsDir) ? Directory.EnumerateFiles(_netnsDir) : [];

    public static bool LinkExists(string name) => Directory.Exists("/sys/class/net/" + name);

    /// <summary>Creates the bridge (or completes a half-made one): no IPv6, forwarding off, gateway address, up.</summary>
    public async Task EnsureBridgeAsync(NetworkRecord n, CancellationToken ct)
    {
        string br = n.BridgeName;
        if (!LinkExists(br))
        {
            await HostCommand.RunAsync("ip", ["link", "add", br, "type", "bridge"], null, ct).ConfigureAwait(false);
        }
        WriteSysctl($"/proc/sys/net/ipv6/conf/{br}/disable_ipv6", "1");
        WriteSysctl($"/proc/sys/net/ipv4/conf/{br}/forwarding", "0");
        var subnet = n.ParsedSubnet;
        string addr = n.Gateway + "/" + subnet.PrefixLength.ToString(CultureInfo.InvariantCulture);
        string shown = await HostCommand.RunAsync("ip", ["-4", "-o", "addr", "show", "dev", br], null, ct).ConfigureAwait(false);
        if (!shown.Contains(" " + addr + " ", StringComparison.Ordinal))
        {
            await HostCommand.RunAsync("ip", ["addr", "add", addr, "dev", br], null, ct).ConfigureAwait(false);
        }
        await HostCommand.RunAsync("ip", ["link", "set", br, "up"], null, ct).ConfigureAwait(false);
    }

    public async Task DeleteBridgeAsync(NetworkRecord n, CancellationToken ct)
    {
        if (LinkExists(n.BridgeName))
        {
            await HostCommand.TryRunAsync("ip", ["link", "del", n.BridgeName], null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the container's namespace file (idempotent) and locks it down before any interface enters.</summary>
    public async Task<string> CreateNetnsAsync(string containerId, CancellationToken ct)
    {
        Directory.CreateDirectory(_netnsDir);
        string path = NetnsPath(containerId);
        if (IsNsfsMount(path))
        {
            return path;
        }
        File.WriteAllBytes(path, []);
        await HostCommand.RunAsync("unshare", ["--net=" + path, "true"], null, ct).ConfigureAwait(false);
        await HostCommand.RunAsync("nsenter", ["--net=" + path, "/bin/sh", "-c", NetnsInitScript], null, ct).ConfigureAwait(false);
        return path;
    }

    /// <summary>Unmounts and deletes the namespace file (idempotent). The kernel frees the namespace with its last user.</summary>
    public void RemoveNetns(string containerId)
    {
        string path = NetnsPath(containerId);
        while (IsNsfsMount(path))
        {
            if (Interop.Umount2(path, Interop.MntDetach) < 0)
            {
                int e = Errno.Last;
                if (e is Errno.EINVAL or Errno.ENOENT)
                {
                    break;
                }
                throw new EngineException(ErrorKind.Internal, new ErrnoException(e, "umount", path).Message);
            }
        }
        File.Delete(path);
    }

    /// <summary>Adds one endpoint: a veth pair, the host side on the bridge, the container side with its address.</summary>
    public async Task AttachAsync(string netnsPath, NetworkRecord n, EndpointRecord e, CancellationToken ct)
    {
        string hv = e.HostVeth;
        if (LinkExists(hv))
        {
            await HostCommand.TryRunAsync("ip", ["link", "del", hv], null, ct).ConfigureAwait(false);
        }
        await HostCommand.RunAsync("ip",
            ["link", "add", hv, "type", "veth", "peer", "name", e.Interface, "address", e.MacAddress, "netns", netnsPath], null, ct)
            .ConfigureAwait(false);
        WriteSysctl($"/proc/sys/net/ipv6/conf/{hv}/disable_ipv6", "1");
        await HostCommand.RunAsync("ip", ["-b", "-"], $"link set {hv} master {n.BridgeName}\nlink set {hv} up\n", ct).ConfigureAwait(false);
        int prefix = n.ParsedSubnet.PrefixLength;
        await HostCommand.RunAsync("nsenter", ["--net=" + netnsPath, HostCommand.Locate("ip"), "-b", "-"],
            $"addr add {e.IPv4Address}/{prefix.ToString(CultureInfo.InvariantCulture)} dev {e.Interface}\nlink set {e.Interface} up\n", ct)
            .ConfigureAwait(false);
    }

    /// <summary>Deletes the endpoint's veth pair (both ends go together); idempotent.</summary>
    public async Task DetachAsync(EndpointRecord e, CancellationToken ct)
    {
        if (LinkExists(e.HostVeth))
        {
            await HostCommand.TryRunAsync("ip", ["link", "del", e.HostVeth], null, ct).ConfigureAwait(false);
        }
    }

    private static bool IsNsfsMount(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] f = line.Split(' ');
            if (f.Length > 4 && f[4].Replace("\\040", " ", StringComparison.Ordinal) == path)
            {
                return true;
            }
        }
        return false;
    }

    private static void WriteSysctl(string path, string value)
    {
        if (File.Exists(path))
        {
            File.WriteAllText(path, value);
        }
    }
}
