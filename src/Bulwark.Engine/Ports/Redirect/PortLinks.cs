using System.Globalization;
using System.Net;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Networks;

namespace Bulwark.Engine.Ports.Redirect;

/// <summary>One container's port link: a veth pair, its host end's name and the two addresses of its /30.</summary>
internal sealed record PortLink(string HostInterface, int Index, IPAddress HostAddress, IPAddress ContainerAddress);

/// <summary>
/// Port links: a point-to-point veth pair between the host and a container that publishes ports, made only when
/// daemon.json says "userland-proxy": false. The host end is <c>bwp</c> + 12 hex digits of the container id, the
/// container end is <see cref="ContainerInterface"/>; each pair gets a /30 of 169.254.64.0/18 (link-local, never
/// routed; 4096 links) and a 64 KiB MTU, like loopback. The link carries only connections the host opens: the
/// container gets no default route, the host end neither forwards nor accepts a connection the container starts
/// (a stateless nftables guard drops its SYNs and all its non-TCP packets, so no conntrack is paid for), nothing is
/// forwarded to or from any link, and IPv6 is off on both ends.
/// </summary>
internal sealed class PortLinks
{
    public const string HostPrefix = "bwp";
    public const string ContainerInterface = "bwpub0";
    private const int Mtu = 65520;
    private const int Capacity = 4096;
    private const string GuardTable = "bulwark_port_links";
    private static readonly byte[] Base = [169, 254, 64, 0];

    private const string LockDir = "/run/bulwark";

    private readonly bool[] _used = new bool[Capacity];
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The nftables guard, applied before every link is made (idempotent: the table is flushed and written whole).</summary>
    internal static string GuardRuleset =>
        $$"""
        table ip {{GuardTable}} {
        }
        flush table ip {{GuardTable}}
        table ip {{GuardTable}} {
          chain input {
            type filter hook input priority 0; policy accept;
            iifname "{{HostPrefix}}*" tcp flags & (syn | ack) == syn drop
            iifname "{{HostPrefix}}*" meta l4proto != tcp drop
          }
          chain forward {
            type filter hook forward priority 0; policy accept;
            iifname "{{HostPrefix}}*" drop
            oifname "{{HostPrefix}}*" drop
          }
        }

        """;

    public static string HostInterfaceOf(string containerId) => HostPrefix + containerId[..Math.Min(12, containerId.Length)];

    /// <summary>The addresses of link <paramref name="index"/>: .1 on the host, .2 in the container.</summary>
    public static (IPAddress Host, IPAddress Container) Addresses(int index)
    {
        if (index is < 0 or >= Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        int offset = index * 4;
        byte[] host = [Base[0], Base[1], (byte)(Base[2] + (offset >> 8)), (byte)(offset + 1)];
        byte[] container = [host[0], host[1], host[2], (byte)(offset + 2)];
        return (new IPAddress(host), new IPAddress(container));
    }

    /// <summary>
    /// Makes the link into the network namespace of <paramref name="pid"/> (a link left by an earlier run of the
    /// container is replaced). The address block is chosen under a host-wide lock among those no interface of the host
    /// carries, so two daemons on one host never hand out the same block.
    /// </summary>
    public async Task<PortLink> CreateAsync(string containerId, int pid, CancellationToken ct)
    {
        string name = HostInterfaceOf(containerId);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var hostLock = await AcquireHostLockAsync(ct).ConfigureAwait(false);
            // Every time, under the lock: another daemon may have removed the table when its last link went.
            await HostCommand.RunAsync("nft", ["-f", "-"], GuardRuleset, ct).ConfigureAwait(false);
            await DeleteLinkAsync(name).ConfigureAwait(false); // before the scan: its block is free again
            var taken = HostIpv4Addresses();
            // Start the search at a block derived from the id (hex), so concurrent daemons rarely even meet.
            int start = uint.TryParse(containerId.AsSpan(0, Math.Min(8, containerId.Length)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint h)
                ? (int)(h % Capacity) : 0;
            int index = -1;
            for (int i = 0; i < Capacity && index < 0; i++)
            {
                int candidate = (start + i) % Capacity;
                if (!_used[candidate] && !taken.Contains(Addresses(candidate).Host))
                {
                    index = candidate;
                }
            }
            if (index < 0)
            {
                throw new EngineException(ErrorKind.Unavailable, $"no port link address is free in 169.254.64.0/18 ({Capacity} links in use)");
            }
            var (host, container) = Addresses(index);
            try
            {
                await HostCommand.RunAsync("sh", ["-c", Script(name, pid, host, container)], null, ct).ConfigureAwait(false);
            }
            catch
            {
                await DeleteLinkAsync(name).ConfigureAwait(false);
                throw;
            }
            _used[index] = true;
            return new PortLink(name, index, host, container);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes the link (gone already when the container's namespace ended) and frees its addresses.</summary>
    public async Task DeleteAsync(PortLink link)
    {
        await DeleteLinkAsync(link.HostInterface).ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        _used[link.Index] = false;
        _gate.Release();
    }

    /// <summary>Removes the guard when no port link is left on the host (another daemon's links keep it), under the host-wide lock.</summary>
    public static async Task RemoveGuardIfUnusedAsync()
    {
        using var hostLock = await AcquireHostLockAsync(CancellationToken.None).ConfigureAwait(false);
        bool anyLink = Directory.Exists("/sys/class/net")
            && Directory.EnumerateFileSystemEntries("/sys/class/net").Any(d => Path.GetFileName(d).StartsWith(HostPrefix, StringComparison.Ordinal));
        if (!anyLink)
        {
            await HostCommand.TryRunAsync("nft", ["delete", "table", "ip", GuardTable], null, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static HashSet<IPAddress> HostIpv4Addresses() =>
        [.. System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)];

    /// <summary>An exclusive lock on a file in /run shared by every bulwarkd on the host (held while a block is chosen and assigned).</summary>
    private static async Task<FileStream> AcquireHostLockAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(LockDir);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(Path.Combine(LockDir, "port-links.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 1000)
            {
                await Task.Delay(10, ct).ConfigureAwait(false); // another daemon is assigning a block
            }
        }
    }

    private static async Task DeleteLinkAsync(string name)
    {
        if (LinuxBridge.LinkExists(name))
        {
            await HostCommand.TryRunAsync("ip", ["link", "del", name], null, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>One shell run: the pair (the container end made directly in its namespace), sysctls, addresses, up.</summary>
    private static string Script(string name, int pid, IPAddress host, IPAddress container)
    {
        string ip = HostCommand.Locate("ip");
        string nsenter = HostCommand.Locate("nsenter");
        string p = pid.ToString(CultureInfo.InvariantCulture);
        string mtu = Mtu.ToString(CultureInfo.InvariantCulture);
        string inside =
            $"{{ echo 1 > /proc/sys/net/ipv6/conf/{ContainerInterface}/disable_ipv6; }} 2>/dev/null || true; " +
            $"{ip} addr add {container}/30 dev {ContainerInterface} && exec {ip} link set {ContainerInterface} up";
        return string.Join('\n',
            "set -e",
            $"{ip} link add {name} mtu {mtu} type veth peer name {ContainerInterface} mtu {mtu} netns {p}",
            $"{{ echo 1 > /proc/sys/net/ipv6/conf/{name}/disable_ipv6; }} 2>/dev/null || true",
            $"echo 0 > /proc/sys/net/ipv4/conf/{name}/forwarding",
            $"echo 0 > /proc/sys/net/ipv4/conf/{name}/route_localnet",
            $"{ip} addr add {host}/30 dev {name}",
            $"{ip} link set {name} up",
            $"exec {nsenter} --net=/proc/{p}/ns/net /bin/sh -c '{inside}'");
    }
}
