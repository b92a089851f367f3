using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bulwark.Integration.Tests.Fixtures;
using static Bulwark.Integration.Tests.Networks.NetworkProbe;

namespace Bulwark.Integration.Tests.Ports;

/// <summary>
/// <c>--userland-proxy=false</c>: local connections to a published TCP port are redirected in the kernel to the
/// container's port link (one TCP connection, no proxy), on a daemon of its own, driven with the docker CLI. The server
/// side of each connection is read from the container's own /proc/net/tcp*, so the tests see which path was taken.
/// </summary>
public sealed class RedirectedPortsTests : IAsyncLifetime
{
    private const string Httpd = "mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www";

    private DaemonInstance _d = null!;

    public async Task InitializeAsync()
    {
        _d = await DaemonInstance.StartAsync(null, ["--userland-proxy=false"]);
        await _d.ImportBusyboxAsync(SharedDaemonFixture.Image);
        Assert.Contains("connect redirect attached", _d.DaemonLog, StringComparison.Ordinal);
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact]
    public async Task LocalConnection_ReachesTheServerFromThePortLink_NotFromTheDaemonsProxy()
    {
        var (id, hostPort, pid) = await RunHttpdAsync();
        Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(hostPort));
        Assert.True(Directory.Exists("/sys/class/net/bwp" + id[..12]), "the host end of the port link exists");

        using var held = new TcpClient();
        await held.ConnectAsync(ParseEndpoint(hostPort));
        // The client's own end already shows it: the kernel chose the link's host address as its source.
        Assert.Equal(LinkHostAddress(id), LocalAddress(held));
        var peers = await ServerPeersAsync(pid, 80, expected: 1);
        // The proxy would connect from the container's loopback (127.0.0.1); a redirected connection comes over the link.
        var peer = Assert.Single(peers);
        Assert.True(InLinkRange(peer), $"the server's peer is {peer}, not an address of 169.254.64.0/18");
        Assert.Equal(LinkHostAddress(id), peer);
    }

    [Fact]
    public async Task ConnectsFromAnotherNetworkNamespace_AreNotRedirected()
    {
        var (_, hostPort, _) = await RunHttpdAsync();
        await PortProbe.HttpGetAsync(hostPort);
        string port = hostPort[(hostPort.LastIndexOf(':') + 1)..];
        // Another container's 127.0.0.1:PORT is its own loopback, where nothing listens: it must stay so.
        var r = await _d.DockerAsync("run", "--rm", SharedDaemonFixture.Image, "sh", "-c",
            $"echo GET / | nc -w 2 127.0.0.1 {port}; echo rc=$?");
        Assert.DoesNotContain("hello-from-container", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContainerCannotOpenAConnectionToTheHostOverItsLink()
    {
        var (id, hostPort, _) = await RunHttpdAsync();
        await PortProbe.HttpGetAsync(hostPort);
        using var hostService = new TcpListener(IPAddress.Any, 0);
        hostService.Start();
        int servicePort = ((IPEndPoint)hostService.LocalEndpoint).Port;
        var hostEnd = LinkHostAddress(id);
        var r = await _d.DockerAsync("exec", id, "sh", "-c",
            $"echo hi | nc -w 2 {hostEnd} {servicePort} && echo CONNECTED; echo done");
        Assert.Contains("done", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CONNECTED", r.Stdout, StringComparison.Ordinal);
        Assert.False(hostService.Pending(), "a connection from the container reached a host service over the port link");
        // No default route either: the link leads only to its /30.
        string routes = await _d.MustDockerAsync("exec", id, "cat", "/proc/net/route");
        var destinations = routes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split('\t')[1].Trim()).ToList();
        Assert.DoesNotContain("00000000", destinations);
        Assert.Contains(destinations, d => d != "00000000");
    }

    [Fact]
    public async Task Stop_RemovesTheLink_AndTheHostPortRefusesAgain()
    {
        var (id, hostPort, _) = await RunHttpdAsync();
        await PortProbe.HttpGetAsync(hostPort);
        await _d.MustDockerAsync("stop", "-t", "1", id);
        await WaitUntilAsync(() => !Directory.Exists("/sys/class/net/bwp" + id[..12]), "the port link to go");
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(ParseEndpoint(hostPort)));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task KilledDaemon_LeavesNoRedirectBehind_AndItsRestartRedirectsAgain()
    {
        var (id, hostPort, pid) = await RunHttpdAsync();
        await PortProbe.HttpGetAsync(hostPort);
        await _d.KillProcessAsync();
        // The container and its link live on; only the daemon's BPF link (a descriptor) died with it, so nothing
        // rewrites connects any more: the host port refuses instead of reaching the container.
        Assert.True(Directory.Exists("/sys/class/net/bwp" + id[..12]));
        using (var client = new TcpClient())
        {
            var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(ParseEndpoint(hostPort)));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
        await _d.StartProcessAsync();
        Assert.Equal(hostPort, (await _d.MustDockerAsync("port", id, "80")).Trim());
        Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(hostPort));
        // The restored ports are served at once (by the proxy); the link is made again in the background.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(ParseEndpoint(hostPort));
            var local = LocalAddress(client);
            if (InLinkRange(local))
            {
                Assert.Equal(LinkHostAddress(id), local);
                Assert.Contains(local, await ServerPeersAsync(pid, 80, expected: 1));
                break;
            }
            Assert.True(DateTime.UtcNow < until, $"connections after the restart still come from {local}, not over a port link");
            await Task.Delay(100);
        }
    }

    private async Task<(string Id, string HostPort, int Pid)> RunHttpdAsync()
    {
        string id = (await _d.MustDockerAsync("run", "-d", "--name", Unique("rd"), "-p", "127.0.0.1::80", SharedDaemonFixture.Image, "sh", "-c", Httpd)).Trim();
        string hostPort = (await _d.MustDockerAsync("port", id, "80")).Trim();
        int pid = int.Parse((await _d.MustDockerAsync("inspect", "-f", "{{.State.Pid}}", id)).Trim(), CultureInfo.InvariantCulture);
        return (id, hostPort, pid);
    }

    private static IPEndPoint ParseEndpoint(string hostPort) => IPEndPoint.Parse(hostPort);

    /// <summary>The client's own address as IPv4 (TcpClient's dual-stack socket shows ::ffff:a.b.c.d).</summary>
    private static IPAddress LocalAddress(TcpClient client)
    {
        var a = ((IPEndPoint)client.Client.LocalEndPoint!).Address;
        return a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
    }

    private static bool InLinkRange(IPAddress a)
    {
        byte[] b = a.GetAddressBytes();
        return b[0] == 169 && b[1] == 254 && b[2] is >= 64 and < 128;
    }

    /// <summary>The host end's address of the container's port link, as the host shows it.</summary>
    private static IPAddress LinkHostAddress(string id)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ip", ["-4", "-o", "addr", "show", "dev", "bwp" + id[..12]]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        int inet = text.IndexOf("inet ", StringComparison.Ordinal);
        Assert.True(inet >= 0, "no IPv4 address on the port link: " + text);
        string cidr = text[(inet + 5)..].Split(' ')[0];
        return IPAddress.Parse(cidr[..cidr.IndexOf('/', StringComparison.Ordinal)]);
    }

    /// <summary>The remote addresses of established connections to <paramref name="port"/> in the network namespace of <paramref name="pid"/>.</summary>
    private static async Task<List<IPAddress>> ServerPeersAsync(int pid, int port, int expected)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var peers = new List<IPAddress>();
            foreach (string table in new[] { "tcp", "tcp6" })
            {
                foreach (string line in File.ReadLines($"/proc/{pid}/net/{table}").Skip(1))
                {
                    string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length > 3 && f[3] == "01" && f[1].EndsWith(":" + port.ToString("X4", CultureInfo.InvariantCulture), StringComparison.Ordinal))
                    {
                        string remote = f[2][..f[2].IndexOf(':', StringComparison.Ordinal)];
                        byte[] v4 = Convert.FromHexString(remote[^8..]);
                        Array.Reverse(v4);
                        peers.Add(new IPAddress(v4));
                    }
                }
            }
            if (peers.Count >= expected || DateTime.UtcNow > until)
            {
                return peers;
            }
            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for " + what);
            await Task.Delay(50);
        }
    }
}
