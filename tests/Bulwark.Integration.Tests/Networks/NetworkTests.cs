using static Bulwark.Integration.Tests.Networks.NetworkProbe;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Networks;

/// <summary>
/// User-defined networks driven with the real docker CLI; behaviour is proven from inside busybox containers. No test
/// sends a packet anywhere but to our own bridges and namespaces (an unreachable route fails before sending).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class NetworkTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    /// <summary>A busybox httpd on :8080 serving "hello-from-&lt;name&gt;" at /f.</summary>

    /// <summary>Fetches http://host:8080/f with nc, retrying while the server starts; prints the body or "unreachable".</summary>

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task PeersOnANetwork_ReachEachOtherByNameAndAlias_ContainersElsewhereCannot()
    {
        string a = Unique("na"), b = Unique("nb"), server = Unique("srv");
        try
        {
            await D.MustDockerAsync("network", "create", a);
            await D.MustDockerAsync("network", "create", b);
            await D.MustDockerAsync("run", "-d", "--name", server, "--network", a, "--network-alias", "web", Image, "sh", "-c", Server(server));
            string ip = (await D.MustDockerAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{a}\").IPAddress}}}}", server)).Trim();

            var byName = await D.DockerAsync("run", "--rm", "--network", a, Image, "sh", "-c", Fetch(server));
            Assert.True(byName.ExitCode == 0, byName.ToString());
            Assert.Contains("hello-from-" + server, byName.Stdout, StringComparison.Ordinal);
            var byAlias = await D.DockerAsync("run", "--rm", "--network", a, Image, "sh", "-c", Fetch("web"));
            Assert.True(byAlias.ExitCode == 0, byAlias.ToString());

            // Another network: neither the name nor the address is reachable.
            var otherByIp = await D.DockerAsync("run", "--rm", "--network", b, Image, "sh", "-c", Fetch(ip));
            Assert.Equal(1, otherByIp.ExitCode);
            Assert.Contains("Network is unreachable", otherByIp.Stdout, StringComparison.Ordinal);
            var otherHosts = await D.DockerAsync("run", "--rm", "--network", b, Image, "cat", "/etc/hosts");
            Assert.DoesNotContain(server, otherHosts.Stdout, StringComparison.Ordinal);
            // --network none: only loopback.
            var none = await D.DockerAsync("run", "--rm", "--network", "none", Image, "sh", "-c", Fetch(ip));
            Assert.Equal(1, none.ExitCode);
            Assert.Contains("Network is unreachable", none.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server);
            await D.DockerAsync("network", "rm", a, b);
        }
    }

    [Fact]
    public async Task ContainerOnANetwork_HasOnlyItsSubnetRoute_NoForwarding_AndRootCannotChangeIt()
    {
        string n = Unique("nr");
        try
        {
            await D.MustDockerAsync("network", "create", "--subnet", "10.213.7.0/24", n);
            var r = await D.DockerAsync("run", "--rm", "--network", n, Image, "sh", "-c",
                "echo ROUTES; ip route; echo END; " +
                "ip route get 192.0.2.1 2>&1; ip route get 8.8.8.8 2>&1; " +
                "echo forward=$(cat /proc/sys/net/ipv4/ip_forward) ipv6off=$(cat /proc/sys/net/ipv6/conf/all/disable_ipv6); " +
                "ip link set eth0 down 2>&1; ip route add default via 10.213.7.1 2>&1; ip addr add 10.9.9.9/24 dev eth0 2>&1; " +
                "{ echo 1 > /proc/sys/net/ipv4/ip_forward; } 2>&1; echo forward-after=$(cat /proc/sys/net/ipv4/ip_forward); " +
                // The gateway is the host side of our bridge: a connection attempt is answered (refused), never forwarded.
                "echo | nc -w 2 10.213.7.1 9 2>&1; ip route");
            Assert.True(r.ExitCode == 0, r.ToString());
            string routes = r.Stdout.Split("ROUTES\n")[1].Split("END")[0].Trim();
            Assert.Equal("10.213.7.0/24 dev eth0 scope link  src 10.213.7.2", routes);
            Assert.DoesNotContain("default", r.Stdout, StringComparison.Ordinal);
            Assert.Equal(2, CountOf(r.Stdout, "Network is unreachable"));
            Assert.Contains("forward=0 ipv6off=1", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("SIOCSIFFLAGS: Operation not permitted", r.Stdout, StringComparison.Ordinal);
            Assert.Equal(2, CountOf(r.Stdout, "RTNETLINK answers: Operation not permitted"));
            Assert.Contains("Connection refused", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("Read-only file system", r.Stdout, StringComparison.Ordinal); // /proc/sys cannot re-enable forwarding
            Assert.Contains("forward-after=0", r.Stdout, StringComparison.Ordinal);

            // Host side: the kernel never forwards what arrives on the bridge, and the bridge has no IPv6.
            string id = (await D.MustDockerAsync("network", "inspect", "--format", "{{.Id}}", n)).Trim();
            string bridge = "bw-" + id[..12];
            Assert.Equal("0", File.ReadAllText($"/proc/sys/net/ipv4/conf/{bridge}/forwarding").Trim());
            Assert.Equal("1", File.ReadAllText($"/proc/sys/net/ipv6/conf/{bridge}/disable_ipv6").Trim());
        }
        finally
        {
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task ExecAndHealthChecks_WorkInAUserNamespacedContainerOnANetwork()
    {
        // runc 1.1 enters an exec's user namespace first: this works because runc itself made the network namespace
        // inside the container's user namespace (a createRuntime hook wires it), not bulwarkd beforehand.
        string n = Unique("nx"), c = Unique("ex");
        try
        {
            await D.MustDockerAsync("network", "create", n);
            await D.MustDockerAsync("run", "-d", "--name", c, "--network", n, "--health-cmd", "ip -4 -o addr show eth0 | grep -q inet",
                "--health-interval", "200ms", Image, "sleep", "300");
            var e = await D.DockerAsync("exec", c, "sh", "-c", "cat /proc/self/uid_map; ip -4 -o addr show eth0; ip link set eth0 down 2>&1; true");
            Assert.True(e.ExitCode == 0, e.ToString());
            Assert.Matches(@"^\s*0\s+[1-9][0-9]{5,}\s+65536", e.Stdout); // a range of its own (or the shared one), never host ids
            Assert.Contains("inet ", e.Stdout, StringComparison.Ordinal);
            Assert.Contains("Operation not permitted", e.Stdout, StringComparison.Ordinal); // no NET_ADMIN for exec either
            string health = "";
            for (int i = 0; i < 100 && health != "healthy"; i++)
            {
                await Task.Delay(100);
                health = (await D.MustDockerAsync("inspect", "--format", "{{.State.Health.Status}}", c)).Trim();
            }
            Assert.Equal("healthy", health);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", c);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task Rename_PeersFindTheContainerByItsNewName()
    {
        string n = Unique("nn"), a = Unique("ra"), b = Unique("rb"), renamed = Unique("renamed");
        try
        {
            await D.MustDockerAsync("network", "create", n);
            await D.MustDockerAsync("run", "-d", "--name", a, "--network", n, Image, "sleep", "300");
            await D.MustDockerAsync("run", "-d", "--name", b, "--network", n, Image, "sleep", "300");
            await D.MustDockerAsync("rename", a, renamed);
            string hosts = await D.MustDockerAsync("exec", b, "cat", "/etc/hosts");
            Assert.Contains(renamed, hosts, StringComparison.Ordinal);
            Assert.DoesNotContain(a, hosts, StringComparison.Ordinal);
            string inspect = await D.MustDockerAsync("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{end}}", n);
            Assert.Contains(renamed, inspect, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", a, b, renamed);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task NetworkCommands_DockerCli_AnswerLikeDocker()
    {
        string n = Unique("nc"), labelled = Unique("nl"), ctr = Unique("c");
        try
        {
            var create = await D.DockerAsync("network", "create", "--label", "team=x", n);
            Assert.True(create.ExitCode == 0, create.ToString());
            Assert.Matches("^[0-9a-f]{64}$", create.Stdout.Trim());

            var dup = await D.DockerAsync("network", "create", n);
            Assert.Equal(1, dup.ExitCode);
            Assert.Contains($"network with name {n} already exists", dup.Stderr, StringComparison.Ordinal);

            var ls = await D.MustDockerAsync("network", "ls", "--format", "{{.Name}} {{.Driver}}");
            Assert.Contains($"{n} bridge", ls, StringComparison.Ordinal);
            Assert.Contains("none null", ls, StringComparison.Ordinal);
            var custom = await D.MustDockerAsync("network", "ls", "--filter", "type=custom", "--filter", "label=team=x", "--format", "{{.Name}}");
            Assert.Equal(n, custom.Trim());

            string subnet = (await D.MustDockerAsync("network", "inspect", "--format", "{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}", n)).Trim();
            Assert.Matches(@"^172\.3[01]\.\d+\.0/24 172\.3[01]\.\d+\.1$", subnet);

            var overlapHost = await D.DockerAsync("network", "create", "--subnet", "192.0.2.0/25", Unique("bad"));
            Assert.Equal(1, overlapHost.ExitCode);
            Assert.Contains("Pool overlaps with other one on this address space", overlapHost.Stderr, StringComparison.Ordinal);
            var overlapNet = await D.DockerAsync("network", "create", "--subnet", subnet.Split(' ')[0], Unique("bad"));
            Assert.Contains("Pool overlaps with other one on this address space", overlapNet.Stderr, StringComparison.Ordinal);
            var v6 = await D.DockerAsync("network", "create", "--ipv6", "--subnet", "fd00:99::/64", "--subnet", "fd00:98::/64", Unique("bad"));
            Assert.Equal(1, v6.ExitCode);
            Assert.Contains("only one IPv6 subnet per network", v6.Stderr, StringComparison.Ordinal);
            var overlay = await D.DockerAsync("network", "create", "-d", "overlay", Unique("bad"));
            Assert.Equal(1, overlay.ExitCode);
            Assert.Contains("\"overlay\"", overlay.Stderr, StringComparison.Ordinal);

            var missing = await D.DockerAsync("network", "inspect", "no-such-net");
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("network no-such-net not found", missing.Stderr, StringComparison.Ordinal);
            var rmMissing = await D.DockerAsync("network", "rm", "no-such-net");
            Assert.Equal(1, rmMissing.ExitCode);
            Assert.Contains("not found", rmMissing.Stderr, StringComparison.Ordinal);
            var runMissing = await D.DockerAsync("run", "--rm", "--network", "no-such-net", Image, "true");
            Assert.NotEqual(0, runMissing.ExitCode);
            Assert.Contains("network no-such-net not found", runMissing.Stderr, StringComparison.Ordinal);

            // In use: a created (not running) container holds its endpoint.
            await D.MustDockerAsync("create", "--name", ctr, "--network", n, "--ip", subnet.Split(' ')[1][..^1] + "77", Image, "true");
            var inUse = await D.DockerAsync("network", "rm", n);
            Assert.Equal(1, inUse.ExitCode);
            Assert.Contains("has active endpoints", inUse.Stderr, StringComparison.Ordinal);
            var members = await D.MustDockerAsync("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}", n);
            Assert.Equal($"{ctr} {subnet.Split(' ')[1][..^1]}77/24", members.Trim());
            var psNet = await D.MustDockerAsync("ps", "-a", "--filter", "name=" + ctr, "--format", "{{.Networks}}");
            Assert.Equal(n, psNet.Trim());

            await D.MustDockerAsync("network", "disconnect", n, ctr);
            var again = await D.DockerAsync("network", "disconnect", n, ctr);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("is not connected to network", again.Stderr, StringComparison.Ordinal);
            await D.MustDockerAsync("network", "connect", n, ctr);
            var twice = await D.DockerAsync("network", "connect", n, ctr);
            Assert.Equal(1, twice.ExitCode);
            Assert.Contains("already exists in network", twice.Stderr, StringComparison.Ordinal);
            await D.MustDockerAsync("rm", ctr);

            await D.MustDockerAsync("network", "create", "--label", "prune-me", labelled);
            var prune = await D.MustDockerAsync("network", "prune", "-f", "--filter", "label=prune-me");
            Assert.Contains(labelled, prune, StringComparison.Ordinal);
            Assert.DoesNotContain(n, prune, StringComparison.Ordinal);
            await D.MustDockerAsync("network", "rm", n);
            var gone = await D.MustDockerAsync("network", "ls", "-q", "--filter", "name=" + n);
            Assert.Equal("", gone.Trim());
            var builtin = await D.DockerAsync("network", "rm", "none");
            Assert.Equal(1, builtin.ExitCode);
            Assert.Contains("pre-defined network", builtin.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", ctr);
            await D.DockerAsync("network", "rm", n, labelled);
        }
    }

    [Fact]
    public async Task ConnectAndDisconnect_RunningContainer_PeersSeeItJoinAndLeave_HostsFileKeepsItsInode()
    {
        string a = Unique("ca"), b = Unique("cb"), server = Unique("srv"), peer = Unique("peer");
        try
        {
            await D.MustDockerAsync("network", "create", a);
            await D.MustDockerAsync("network", "create", b);
            await D.MustDockerAsync("run", "-d", "--name", server, "--network", a, Image, "sh", "-c", Server(server));
            string peerId = (await D.MustDockerAsync("run", "-d", "--name", peer, "--network", b, Image, "sleep", "300")).Trim();
            string peerHosts = Path.Combine(D.DataRoot, "containers", peerId, "hosts");
            ulong inode = Bulwark.Native.FileStatus.Inode(peerHosts);
            Assert.DoesNotContain(server, File.ReadAllText(peerHosts), StringComparison.Ordinal);

            await D.MustDockerAsync("network", "connect", "--alias", "api", b, server);
            Assert.Contains(server, File.ReadAllText(peerHosts), StringComparison.Ordinal);
            Assert.Contains("api", File.ReadAllText(peerHosts), StringComparison.Ordinal);
            Assert.Equal(inode, Bulwark.Native.FileStatus.Inode(peerHosts));
            var nets = await D.MustDockerAsync("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", server);
            Assert.Equal(string.Join(' ', new[] { a, b }.Order(StringComparer.Ordinal)), nets.Trim());
            var viaB = await D.DockerAsync("run", "--rm", "--network", b, Image, "sh", "-c", Fetch("api"));
            Assert.True(viaB.ExitCode == 0, viaB.ToString());

            string bIp = (await D.MustDockerAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{b}\").IPAddress}}}}", server)).Trim();
            await D.MustDockerAsync("network", "disconnect", b, server);
            Assert.DoesNotContain(server, File.ReadAllText(peerHosts), StringComparison.Ordinal);
            Assert.Equal(inode, Bulwark.Native.FileStatus.Inode(peerHosts));
            var afterIp = await D.DockerAsync("run", "--rm", "--network", b, Image, "sh", "-c", Fetch(bIp));
            Assert.Equal(1, afterIp.ExitCode);
            // Still served on its first network.
            var viaA = await D.DockerAsync("run", "--rm", "--network", a, Image, "sh", "-c", Fetch(server));
            Assert.True(viaA.ExitCode == 0, viaA.ToString());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server, peer);
            await D.DockerAsync("network", "rm", a, b);
        }
    }

    [Fact]
    public async Task RemovingContainersAndNetworks_LeavesNoLinksNamespacesOrMounts()
    {
        string n = Unique("nz"), ctr = Unique("z");
        string id = (await D.MustDockerAsync("network", "create", n)).Trim();
        string bridge = "bw-" + id[..12];
        try
        {
            string cid = (await D.MustDockerAsync("run", "-d", "--name", ctr, "--network", n, Image, "sleep", "300")).Trim();
            string endpoint = (await D.MustDockerAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{n}\").EndpointID}}}}", ctr)).Trim();
            string veth = "bv" + endpoint[..12];
            string netns = Path.Combine(D.ExecRoot, "netns", cid);
            Assert.True(LinkExists(bridge));
            Assert.True(LinkExists(veth));
            Assert.True(File.Exists(netns));
            Assert.Contains(netns, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
            var key = await D.MustDockerAsync("inspect", "--format", "{{.NetworkSettings.SandboxKey}}", ctr);
            Assert.Equal(netns, key.Trim());

            await D.MustDockerAsync("stop", "-t", "0", ctr);
            Assert.False(LinkExists(veth));
            Assert.False(File.Exists(netns));
            await D.MustDockerAsync("rm", ctr);
            Assert.DoesNotContain(netns, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
            Assert.True(LinkExists(bridge));

            await D.MustDockerAsync("network", "rm", n);
            Assert.False(LinkExists(bridge));
            var links = await ProcessRunner.RunAsync("ip", ["-br", "link"]);
            Assert.DoesNotContain(bridge, links.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(veth, links.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", ctr);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task NetworkEvents_CreateConnectDisconnectDestroy()
    {
        string n = Unique("ne"), ctr = Unique("e");
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await D.MustDockerAsync("network", "create", n);
        await D.MustDockerAsync("create", "--name", ctr, "--network", n, Image, "true");
        await D.MustDockerAsync("rm", ctr);
        await D.MustDockerAsync("network", "rm", n);
        string until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var events = await D.MustDockerAsync("events", "--since", since, "--until", until, "--filter", "type=network", "--filter", "network=" + n,
            "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}");
        Assert.Equal([$"create {n} bridge", $"connect {n} bridge", $"disconnect {n} bridge", $"destroy {n} bridge"],
            events.Trim().Split('\n'));
    }

    [Fact]
    public async Task DaemonRestart_RunningContainerKeepsItsNetworking_StoppedOnesAreCleanedUp()
    {
        await using var d = await DaemonInstance.StartAsync();
        string tar = BusyboxImage.BuildRootfsTar(Path.Combine(d.Root, "image"));
        Assert.Equal(0, (await d.CliAsync("import", tar, Image)).ExitCode);
        string n = Unique("nd"), server = Unique("srv");
        Assert.Equal(0, (await d.DockerAsync("network", "create", n)).ExitCode);
        var run = await d.DockerAsync("run", "-d", "--name", server, "--network", n, Image, "sh", "-c", Server(server));
        Assert.True(run.ExitCode == 0, run.ToString());

        await d.RestartAsync();

        var fetch = await d.DockerAsync("run", "--rm", "--network", n, Image, "sh", "-c", Fetch(server));
        Assert.True(fetch.ExitCode == 0, fetch + "\n" + d.DaemonLog);
        Assert.Contains("hello-from-" + server, fetch.Stdout, StringComparison.Ordinal);
        // Only the running server's namespace is left; the --rm client's is gone.
        Assert.Single(Directory.EnumerateFiles(Path.Combine(d.ExecRoot, "netns")));
        Assert.Equal(0, (await d.DockerAsync("rm", "-f", server)).ExitCode);
        Assert.Equal(0, (await d.DockerAsync("network", "rm", n)).ExitCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(d.ExecRoot, "netns")));
    }

    private static bool LinkExists(string name) => Directory.Exists("/sys/class/net/" + name);

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
}
