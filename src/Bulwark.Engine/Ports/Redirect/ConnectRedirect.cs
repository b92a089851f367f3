using System.Net;
using System.Net.Sockets;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Ports.Redirect;

/// <summary>
/// The kernel side of redirected published ports: the map of (namespace, host address, host port) → (container link
/// address, container port), the two <see cref="ConnectRedirectProgram"/>s (connect4, connect6 for IPv4-mapped
/// destinations) loaded with it, and the BPF links attaching them to the cgroup v2 root. Only connections from the daemon's own network namespace (the host's) are ever rewritten.
/// The links are descriptors of this process: when bulwarkd ends, even by kill -9, the kernel detaches the programs,
/// so no redirect outlives the daemon that answers for it.
/// </summary>
internal sealed class ConnectRedirect : IDisposable
{
    private const int SolSocket = 1;
    private const int SoNetnsCookie = 71;
    private const int MaxEntries = 65536;

    private readonly SafeFileHandle _map;
    private readonly List<SafeFileHandle> _attached;

    private ConnectRedirect(SafeFileHandle map, List<SafeFileHandle> attached, ulong cookie, string cgroup)
    {
        _map = map;
        _attached = attached;
        HostNetnsCookie = cookie;
        Cgroup = cgroup;
    }

    /// <summary>The cookie of the network namespace whose connections are redirected (the daemon's).</summary>
    public ulong HostNetnsCookie { get; }

    /// <summary>The cgroup v2 directory the program is attached to.</summary>
    public string Cgroup { get; }

    /// <summary>Loads and attaches the program; throws (with the kernel's reason) when this host cannot.</summary>
    public static ConnectRedirect Attach(string cgroup2Root)
    {
        ulong cookie = OwnNetnsCookie();
        var map = Bpf.CreateMap(Bpf.MapTypeHash, ConnectRedirectProgram.KeySize, ConnectRedirectProgram.ValueSize, MaxEntries, "bw_ports");
        var attached = new List<SafeFileHandle>(); // programs and their links; a link holds its program
        try
        {
            int dir = Interop.Openat(Interop.AtFdCwd, cgroup2Root, Interop.ORdOnly | Interop.ODirectory | Interop.OCloExec, 0);
            if (dir < 0)
            {
                throw new ErrnoException(Errno.Last, "open", cgroup2Root);
            }
            using var cgroup = new SafeFileHandle(dir, ownsHandle: true);
            int mapFd = (int)map.DangerousGetHandle();
            foreach (var (attach, program, name) in new[]
            {
                (Bpf.AttachCgroupInet4Connect, ConnectRedirectProgram.Build4(mapFd), "bw_connect4"),
                (Bpf.AttachCgroupInet6Connect, ConnectRedirectProgram.Build6(mapFd), "bw_connect6"),
            })
            {
                var loaded = Bpf.LoadProgram(Bpf.ProgTypeCgroupSockAddr, attach, program, name);
                attached.Add(loaded);
                attached.Add(Bpf.CreateLink(loaded, cgroup, attach));
            }
            return new ConnectRedirect(map, attached, cookie, cgroup2Root);
        }
        catch
        {
            foreach (var h in attached)
            {
                h.Dispose();
            }
            map.Dispose();
            throw;
        }
    }

    /// <summary>From now on, TCP connects from the host namespace to <paramref name="host"/>:<paramref name="hostPort"/> go to <paramref name="to"/>:<paramref name="toPort"/>.</summary>
    public void Add(IPAddress host, int hostPort, IPAddress to, int toPort) =>
        Bpf.UpdateElement(_map, ConnectRedirectProgram.Key(HostNetnsCookie, host, hostPort), ConnectRedirectProgram.Value(to, toPort));

    /// <summary>Ends the redirect of <paramref name="host"/>:<paramref name="hostPort"/> (no-op when there is none).</summary>
    public void Remove(IPAddress host, int hostPort) =>
        Bpf.DeleteElement(_map, ConnectRedirectProgram.Key(HostNetnsCookie, host, hostPort));

    /// <summary>The cgroup v2 mount point (the unified hierarchy on a hybrid host), or null when none is mounted.</summary>
    public static string? FindCgroup2Root(string mountinfo = "/proc/self/mountinfo")
    {
        string? found = null;
        foreach (string line in File.ReadLines(mountinfo))
        {
            // "36 35 0:31 / /sys/fs/cgroup/unified rw,... - cgroup2 cgroup2 rw": root "/" of the hierarchy only
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
            {
                continue;
            }
            string[] before = line[..dash].Split(' ');
            string[] after = line[(dash + 3)..].Split(' ');
            if (after.Length > 0 && after[0] == "cgroup2" && before.Length > 4 && before[3] == "/")
            {
                string mount = before[4].Replace("\\040", " ", StringComparison.Ordinal);
                if (mount is "/sys/fs/cgroup" or "/sys/fs/cgroup/unified")
                {
                    return mount;
                }
                found ??= mount;
            }
        }
        return found;
    }

    private static ulong OwnNetnsCookie()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Span<byte> cookie = stackalloc byte[8];
        int n = s.GetRawSocketOption(SolSocket, SoNetnsCookie, cookie);
        if (n != 8)
        {
            throw new IOException("SO_NETNS_COOKIE: unexpected length");
        }
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(cookie);
    }

    public void Dispose()
    {
        foreach (var h in _attached)
        {
            h.Dispose();
        }
        _map.Dispose();
    }
}
