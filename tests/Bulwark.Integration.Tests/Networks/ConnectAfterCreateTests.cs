using static Bulwark.Integration.Tests.Networks.NetworkProbe;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Networks;

/// <summary>
/// Containers created without --network (loopback only) and connected afterwards, before start and while running, as
/// docker-py and compose do; proven from inside busybox containers through the docker CLI and docker-py.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ConnectAfterCreateTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    /// <summary>Fetches http://host:8080/f with nc, retrying while the server starts; prints the body or "unreachable".</summary>

    [Fact]
    public async Task CreatedWithoutNetwork_ConnectedBeforeStart_ReachesPeersByName()
    {
        string n = Unique("cc"), server = Unique("srv"), client = Unique("cli");
        try
        {
            await D.MustDockerAsync("network", "create", n);
            await D.MustDockerAsync("run", "-d", "--name", server, "--network", n, Image, "sh", "-c", Server(server));
            await D.MustDockerAsync("create", "--name", client, Image, "sh", "-c", "ip -o link | cut -d: -f2; " + Fetch(server));
            // Until it is connected it shows its mode: a namespace of its own with loopback only.
            Assert.Equal("none", (await D.MustDockerAsync("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", client)).Trim());

            await D.MustDockerAsync("network", "connect", "--alias", "peer", n, client);
            var start = await D.DockerAsync("start", "-a", client);
            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Contains("hello-from-" + server, start.Stdout, StringComparison.Ordinal);
            Assert.Contains(" eth0", start.Stdout, StringComparison.Ordinal);
            string shown = (await D.MustDockerAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{n}\").IPAddress}}}}", client)).Trim();
            Assert.Matches(@"^\d+\.\d+\.\d+\.\d+$", shown);
            // The server sees the connected container by name and alias.
            var hosts = await D.MustDockerAsync("exec", server, "cat", "/etc/hosts");
            Assert.Contains(client, hosts, StringComparison.Ordinal);
            Assert.Contains("peer", hosts, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server, client);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task RunningWithoutNetwork_HasOnlyLoopback_ConnectAddsAnInterface_DisconnectRemovesIt()
    {
        string n = Unique("cr"), server = Unique("srv"), c = Unique("run");
        try
        {
            await D.MustDockerAsync("network", "create", n);
            await D.MustDockerAsync("run", "-d", "--name", server, "--network", n, Image, "sh", "-c", Server(server));
            await D.MustDockerAsync("run", "-d", "--name", c, Image, "sleep", "300");
            Assert.Equal("lo", (await D.MustDockerAsync("exec", c, "sh", "-c", "ip -o link | cut -d: -f2 | tr -d ' '")).Trim());

            await D.MustDockerAsync("network", "connect", n, c);
            var fetch = await D.DockerAsync("exec", c, "sh", "-c", "ip -o link | cut -d: -f2; cat /proc/sys/net/ipv4/ip_forward; " + Fetch(server));
            Assert.True(fetch.ExitCode == 0, fetch.ToString());
            Assert.Contains("hello-from-" + server, fetch.Stdout, StringComparison.Ordinal);
            Assert.Contains(" eth0", fetch.Stdout, StringComparison.Ordinal);
            string id = (await D.MustDockerAsync("inspect", "--format", "{{.Id}}", c)).Trim();
            Assert.Equal(Path.Combine(D.ExecRoot, "netns", id), (await D.MustDockerAsync("inspect", "--format", "{{.NetworkSettings.SandboxKey}}", c)).Trim());
            // Still no route anywhere but the network's subnet, and root in the container cannot change that.
            var locked = await D.DockerAsync("exec", c, "sh", "-c", "ip route; ip route add default dev eth0 2>&1; true");
            Assert.DoesNotContain("default", locked.Stdout.Split('\n')[0], StringComparison.Ordinal);
            Assert.Contains("Operation not permitted", locked.Stdout, StringComparison.Ordinal);

            await D.MustDockerAsync("network", "disconnect", n, c);
            Assert.Equal("lo", (await D.MustDockerAsync("exec", c, "sh", "-c", "ip -o link | cut -d: -f2 | tr -d ' '")).Trim());
            var hosts = await D.MustDockerAsync("exec", server, "cat", "/etc/hosts");
            Assert.DoesNotContain(c, hosts, StringComparison.Ordinal);

            await D.MustDockerAsync("stop", "-t", "0", c);
            Assert.False(File.Exists(Path.Combine(D.ExecRoot, "netns", id)));
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server, c);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task ExplicitNetworkNone_ConnectIsRefusedWithDockerdsWords_UntilDisconnectedFromNone_WhileTheDefaultShowsDefaultAndConnects()
    {
        string n = Unique("cn"), none = Unique("none"), dflt = Unique("dflt");
        try
        {
            await D.MustDockerAsync("network", "create", n);
            await D.MustDockerAsync("create", "--name", none, "--network", "none", Image, "true");
            await D.MustDockerAsync("create", "--name", dflt, Image, "true");
            Assert.Equal("none", (await D.MustDockerAsync("inspect", "--format", "{{.HostConfig.NetworkMode}}", none)).Trim());
            Assert.Equal("default", (await D.MustDockerAsync("inspect", "--format", "{{.HostConfig.NetworkMode}}", dflt)).Trim());

            var refused = await D.DockerAsync("network", "connect", n, none);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("container cannot be connected to multiple networks with one of the networks in private (none) mode",
                refused.Stderr, StringComparison.Ordinal);
            Assert.Equal("none", (await D.MustDockerAsync("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", none)).Trim());
            Assert.Equal("[]", (await D.MustDockerAsync("network", "inspect", "--format", "{{json .Containers}}", n)).Trim().Replace("{}", "[]", StringComparison.Ordinal));

            await D.MustDockerAsync("network", "connect", n, dflt);
            Assert.Equal(n, (await D.MustDockerAsync("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", dflt)).Trim());
            Assert.Equal("default", (await D.MustDockerAsync("inspect", "--format", "{{.HostConfig.NetworkMode}}", dflt)).Trim());

            // Docker's way out: disconnect it from "none" first; then it connects like the default (a second time: not connected).
            await D.MustDockerAsync("network", "disconnect", "none", none);
            var again = await D.DockerAsync("network", "disconnect", "none", none);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("is not connected to network none", again.Stderr, StringComparison.Ordinal);
            await D.MustDockerAsync("network", "connect", n, none);
            Assert.Equal(n, (await D.MustDockerAsync("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", none)).Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", none, dflt);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task BridgeNetworkMode_IsRefusedWithTheReason_AndCreatesNothing()
    {
        string c = Unique("br");
        var bridge = await D.DockerAsync("run", "--name", c, "--network", "bridge", Image, "true");
        Assert.Equal(125, bridge.ExitCode);
        Assert.Contains("there is no default bridge network", bridge.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await D.DockerAsync("inspect", c)).ExitCode);
    }

    // docker-py's documented flow: create, connect, start (compose does the same for a service's extra networks).
    private const string CreateConnectStartScript = """
        import sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        image, net_name = sys.argv[2], sys.argv[3]
        net = client.networks.create(net_name)
        server = client.containers.run(image, ["sh", "-c", "mkdir /w && echo hello-py > /w/f && exec httpd -f -p 8080 -h /w"],
                                       detach=True, network=net_name, name=net_name + "-srv")
        try:
            c = client.containers.create(image, ["sh", "-c", "for i in $(seq 1 30); do wget -q -O - http://web:8080/f && exit 0; sleep 0.2; done; exit 1"])
            net.connect(c)
            server.reload()
            net.disconnect(server)
            net.connect(server, aliases=["web"])
            c.start()
            print("exit=%d" % c.wait()["StatusCode"])
            print("logs=" + c.logs().decode().strip())
            c.reload()
            print("ip=" + c.attrs["NetworkSettings"]["Networks"][net_name]["IPAddress"])
            net.reload()
            print("containers=%d" % len(net.containers))
            c.remove(force=True)
        finally:
            server.remove(force=True)
            net.remove()
        print("done")
        """;

    [Fact]
    public async Task DockerPy_CreateConnectStart_ReachesAPeerByAlias()
    {
        string dir = Path.Combine(D.Root, "py");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, Guid.NewGuid().ToString("N")[..8] + ".py");
        await File.WriteAllTextAsync(file, CreateConnectStartScript);
        try
        {
            var r = await ProcessRunner.RunAsync("/usr/bin/python3", [file, D.SocketPath, Image, Unique("py")], timeout: TimeSpan.FromSeconds(120));
            Assert.True(r.ExitCode == 0, r.ToString());
            string[] lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("exit=0", lines);
            Assert.Contains("logs=hello-py", lines);
            Assert.Contains(lines, l => l.StartsWith("ip=", StringComparison.Ordinal) && l.Length > "ip=".Length);
            Assert.Contains("containers=2", lines);
            Assert.Equal("done", lines[^1]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
