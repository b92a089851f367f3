using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Native;

namespace Bulwark.Engine.Networks;

/// <summary>
/// Realises networks on the host with iproute2 and util-linux: one Linux bridge per network carrying the gateway
/// address, one veth pair per endpoint, and each container's network namespace (made by runc, wired by a
/// createRuntime hook) pinned at <c>&lt;exec-root&gt;/netns/&lt;id&gt;</c>. A network without egress gets no NAT and no
/// default route: the kernel never forwards a packet that arrives on its bridge (per-interface forwarding=0), and
/// containers only have their subnet routes. An egress network's bridge forwards and its containers get a default
/// route; <see cref="Egress.EgressFirewall"/> decides what passes. Rate limits are tc qdiscs on the veth pair.
/// </summary>
internal sealed class LinuxBridge
{
    /// <summary>
    /// Run inside a fresh namespace before any interface enters it: no IPv6, no forwarding, lo up; ports below 1024
    /// and ICMP echo sockets are opened to every uid of the namespace (Docker does the same for ports).
    /// </summary>
    private static string NetnsInitScript(string ip) =>
        "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; " +
        "echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start && echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range && " +
        "echo 0 > /proc/sys/net/ipv4/ip_forward && echo 0 > /proc/sys/net/ipv4/conf/all/forwarding && " +
        "echo 0 > /proc/sys/net/ipv4/conf/default/forwarding && exec " + ip + " link set lo up";

    private readonly string _netnsDir;

    public LinuxBridge(string execRoot)
    {
        _netnsDir = Path.Combine(execRoot, "netns");
    }

    public string NetnsPath(string containerId) => Path.Combine(_netnsDir, containerId);

    public IEnumerable<string> NetnsFiles() => Directory.Exists(_netnsDir) ? Directory.EnumerateFiles(_netnsDir) : [];

    public static bool LinkExists(string name) => Directory.Exists("/sys/class/net/" + name);

    /// <summary>
    /// Creates the bridge (or completes a half-made one): forwarding off, gateway address, up; IPv6 only on an IPv6
    /// network, and then without router advertisements or autoconfiguration (a container must not be able to give the
    /// host a route).
    /// </summary>
    public async Task EnsureBridgeAsync(NetworkRecord n, CancellationToken ct)
    {
        string br = n.BridgeName;
        if (n.Subnet6 is not null && HostForwardsIpv6())
        {
            throw EngineException.Invalid(
                $"network {n.Name}: this host forwards IPv6 (net.ipv6.conf.all.forwarding=1), so an IPv6 network would be routed to its " +
                "other interfaces; bulwarkd leaves host sysctls alone: turn IPv6 forwarding off or create the network without --ipv6");
        }
        if (!LinkExists(br))
        {
            await HostCommand.RunAsync("ip", ["link", "add", br, "type", "bridge"], null, ct).ConfigureAwait(false);
        }
        if (n.Subnet6 is { } subnet6)
        {
            WriteSysctl($"/proc/sys/net/ipv6/conf/{br}/accept_ra", "0");
            WriteSysctl($"/proc/sys/net/ipv6/conf/{br}/autoconf", "0");
            WriteSysctl($"/proc/sys/net/ipv6/conf/{br}/accept_redirects", "0");
            WriteSysctl($"/proc/sys/net/ipv6/conf/{br}/forwarding", "0");
            WriteSysctl($"/proc/sys/net/ipv6/conf/{br}/disable_ipv6", "0");
            string addr6 = n.Gateway6 + "/" + n.ParsedSubnet6!.Value.PrefixLength.ToString(CultureInfo.InvariantCulture);
            string shown6 = await HostCommand.RunAsync("ip", ["-6", "-o", "addr", "show", "dev", br], null, ct).ConfigureAwait(false);
            if (!shown6.Contains(" " + addr6 + " ", StringComparison.Ordinal))
            {
                await HostCommand.RunAsync("ip", ["-6", "addr", "add", addr6, "dev", br, "nodad"], null, ct).ConfigureAwait(false);
            }
        }
        else
        {
            WriteSysctl($"/proc/sys/net/ipv6/conf/{br}/disable_ipv6", "1");
        }
        // Only an egress network's bridge forwards (its nftables chains decide what); any other never does.
        bool egress = NetworkOptionNames.Parse(n.Options).Egress.Enabled;
        WriteSysctl($"/proc/sys/net/ipv4/conf/{br}/forwarding", egress ? "1" : "0");
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

    /// <summary>
    /// The createRuntime hook that wires a container's network namespace. runc has just created the namespace inside
    /// the container's user namespace (so `runc exec`, which joins the user namespace first, can enter it — runc
    /// 1.1 cannot enter a namespace owned by the host's user namespace from there); the hook runs as host root in the
    /// host's namespaces before the container's process starts, with runc's state JSON (holding the pid) on stdin and no
    /// PATH. It pins the namespace at <see cref="NetnsPath"/> (a bind mount, for connect/disconnect while running),
    /// locks it down (no IPv6, no forwarding, lo up) and adds one veth per endpoint. The container's root still cannot
    /// reconfigure it: NET_ADMIN is outside the capability allowlist. All values are ours (names, MACs, addresses),
    /// each single-quoted anyway.
    /// </summary>
    public string RenderSetupScript(string containerId, IEnumerable<(NetworkRecord Network, EndpointRecord Endpoint)> endpoints)
    {
        string ip = HostCommand.Locate("ip");
        string nsenter = HostCommand.Locate("nsenter");
        string mount = HostCommand.Locate("mount");
        string ns = NetnsPath(containerId);
        var sb = new System.Text.StringBuilder();
        sb.Append("set -e\n");
        sb.Append("read -r state || true\n");
        sb.Append("pid=${state#*\\\"pid\\\":}; pid=${pid# }; pid=${pid%%[!0-9]*}\n");
        sb.Append("case $pid in ''|*[!0-9]*) echo \"bulwark network hook: no pid in the runtime state\" >&2; exit 1;; esac\n");
        sb.Append("ns=/proc/$pid/ns/net\n");
        sb.Append(CultureInfo.InvariantCulture, $": > {Q(ns)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{Q(mount)} --bind \"$ns\" {Q(ns)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{Q(nsenter)} --net=\"$ns\" /bin/sh -c {Q(NetnsInitScript(ip))}\n");
        bool routed = false;
        foreach (var (n, e) in endpoints)
        {
            string hv = e.HostVeth;
            int prefix = n.ParsedSubnet.PrefixLength;
            sb.Append(CultureInfo.InvariantCulture, $"{Q(ip)} link del {Q(hv)} 2>/dev/null || true\n");
            sb.Append(CultureInfo.InvariantCulture,
                $"{Q(ip)} link add {Q(hv)} type veth peer name {Q(e.Interface)} address {Q(e.MacAddress)} netns \"$pid\"\n");
            sb.Append(CultureInfo.InvariantCulture, $"echo 1 > {Q($"/proc/sys/net/ipv6/conf/{hv}/disable_ipv6")}\n");
            sb.Append(CultureInfo.InvariantCulture, $"{Q(ip)} link set {Q(hv)} master {Q(n.BridgeName)} up\n");
            sb.Append(CultureInfo.InvariantCulture,
                $"{Q(nsenter)} --net=\"$ns\" {Q(ip)} addr add {Q(e.IPv4Address + "/" + prefix.ToString(CultureInfo.InvariantCulture))} dev {Q(e.Interface)}\n");
            if (Ipv6Commands(n, e) is { } v6)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{Q(nsenter)} --net=\"$ns\" /bin/sh -c {Q(v6.Sysctls)}\n");
                sb.Append(CultureInfo.InvariantCulture, $"{Q(nsenter)} --net=\"$ns\" {Q(ip)} -6 addr add {Q(v6.Address)} dev {Q(e.Interface)} nodad\n");
            }
            sb.Append(CultureInfo.InvariantCulture, $"{Q(nsenter)} --net=\"$ns\" {Q(ip)} link set {Q(e.Interface)} up\n");
            var options = NetworkOptionNames.Parse(n.Options);
            sb.Append(RateLimits.TrafficShaper.Script(options.Rate, hv, e.Interface, Q));
            if (options.Egress.Enabled && !routed)
            {
                // The first egress network carries the default route; its firewall decides what leaves.
                sb.Append(CultureInfo.InvariantCulture, $"{Q(nsenter)} --net=\"$ns\" {Q(ip)} route add default via {Q(n.Gateway)} dev {Q(e.Interface)}\n");
                routed = true;
            }
        }
        return sb.ToString();
    }

    /// <summary>Single-quotes a word for /bin/sh.</summary>
    private static string Q(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Makes the directory the hook pins namespaces in.</summary>
    public void EnsureNetnsDirectory() => Directory.CreateDirectory(_netnsDir);

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
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Pins a running container's namespace at <see cref="NetnsPath"/> and locks it down as the start hook would have
    /// (a container started without networks has neither); nothing to do when it is pinned already.
    /// </summary>
    public async Task PinAsync(string containerId, int pid, CancellationToken ct)
    {
        string path = NetnsPath(containerId);
        if (IsNsfsMount(path))
        {
            return;
        }
        if (pid <= 0)
        {
            throw new EngineException(ErrorKind.Conflict, $"container {containerId} has no process to connect");
        }
        EnsureNetnsDirectory();
        File.WriteAllBytes(path, []);
        try
        {
            string source = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/ns/net";
            await HostCommand.RunAsync("mount", ["--bind", source, path], null, ct).ConfigureAwait(false);
            await HostCommand.RunAsync("nsenter", ["--net=" + path, "/bin/sh", "-c", NetnsInitScript(HostCommand.Locate("ip"))], null, ct)
                .ConfigureAwait(false);
        }
        catch
        {
            RemoveNetns(containerId);
            throw;
        }
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
        string batch = $"addr add {e.IPv4Address}/{prefix.ToString(CultureInfo.InvariantCulture)} dev {e.Interface}\n";
        if (Ipv6Commands(n, e) is { } v6)
        {
            await HostCommand.RunAsync("nsenter", ["--net=" + netnsPath, "/bin/sh", "-c", v6.Sysctls], null, ct).ConfigureAwait(false);
            batch += $"addr add {v6.Address} dev {e.Interface} nodad\n";
        }
        await HostCommand.RunAsync("nsenter", ["--net=" + netnsPath, HostCommand.Locate("ip"), "-b", "-"], batch + $"link set {e.Interface} up\n", ct)
            .ConfigureAwait(false);
        var options = NetworkOptionNames.Parse(n.Options);
        await RateLimits.TrafficShaper.ApplyAsync(options.Rate, hv, e.Interface, netnsPath, ct).ConfigureAwait(false);
        if (options.Egress.Enabled)
        {
            // Fails when another egress network already carries the default route: that one keeps it.
            await HostCommand.TryRunAsync("nsenter", ["--net=" + netnsPath, HostCommand.Locate("ip"), "route", "add", "default", "via", n.Gateway, "dev", e.Interface], null, ct)
                .ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For an endpoint with an IPv6 address: the sysctls that turn IPv6 on for its interface only (no router
    /// advertisements, no autoconfiguration: peers cannot give it routes) and its address with prefix.
    /// </summary>
    private static (string Sysctls, string Address)? Ipv6Commands(NetworkRecord n, EndpointRecord e)
    {
        if (e.IPv6Address is null || n.ParsedSubnet6 is not { } subnet)
        {
            return null;
        }
        string conf = "/proc/sys/net/ipv6/conf/" + e.Interface + "/";
        string sysctls = $"echo 0 > {conf}accept_ra && echo 0 > {conf}autoconf && echo 0 > {conf}accept_redirects && echo 0 > {conf}disable_ipv6";
        return (sysctls, e.IPv6Address + "/" + subnet.PrefixLength.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>net.ipv6.conf.all.forwarding of the host (bulwarkd never changes it).</summary>
    private static bool HostForwardsIpv6() =>
        File.Exists("/proc/sys/net/ipv6/conf/all/forwarding") && File.ReadAllText("/proc/sys/net/ipv6/conf/all/forwarding").Trim() == "1";

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
