using System.Net;
using System.Net.Sockets;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Ports;

/// <summary>Host-port ranges (-p 8000-8010:80, -p 8000-8001:80-81) through the docker CLI against a real bulwarkd: loopback only.</summary>
[Collection(DaemonCollection.Name)]
public sealed class PortRangeTests(SharedDaemonFixture fx)
{
    private static string Httpd(int port) =>
        $"mkdir -p /w{port} && echo hello-{port} > /w{port}/index.html && httpd -f -p {port} -h /w{port}";

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerRun_HostPortRange_TakesTheFirstFreePortOfTheRange()
    {
        // Two consecutive free ports; the first stays taken by this test, so the daemon must take the second.
        var (taken, second) = HoldConsecutivePair();
        using var held = taken;
        int first = ((IPEndPoint)taken.LocalEndPoint!).Port;
        second.Dispose();
        string name = "pr-range";
        try
        {
            var run = await D.DockerAsync("run", "-d", "--name", name, "-p", $"127.0.0.1:{first}-{first + 1}:80", SharedDaemonFixture.Image, "sh", "-c", Httpd(80));
            Assert.True(run.ExitCode == 0, run.ToString());
            var port = await D.DockerAsync("port", name, "80");
            Assert.Equal($"127.0.0.1:{first + 1}", port.Stdout.Trim());
            Assert.Equal("hello-80\n", await PortProbe.HttpGetAsync($"127.0.0.1:{first + 1}"));
            var bindings = await D.DockerAsync("inspect", "--format", "{{json .HostConfig.PortBindings}}", name);
            Assert.Equal($$"""{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"{{first}}-{{first + 1}}"}]}""", bindings.Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task DockerRun_HostPortRangeAllTaken_FailsNamingTheRange_AndLeavesNothingRunning()
    {
        var (a, b) = HoldConsecutivePair();
        using var first = a;
        using var second = b;
        int port = ((IPEndPoint)a.LocalEndPoint!).Port;
        string name = "pr-full";
        try
        {
            var run = await D.DockerAsync("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}-{port + 1}:80", SharedDaemonFixture.Image, "sleep", "300");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains($"127.0.0.1:{port}-{port + 1}", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("port is already allocated", run.Stderr, StringComparison.Ordinal);
            Assert.Equal("false", (await D.DockerAsync("inspect", "--format", "{{.State.Running}}", name)).Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task DockerRun_EqualRanges_PublishPairwise()
    {
        var (a, b) = HoldConsecutivePair();
        int port = ((IPEndPoint)a.LocalEndPoint!).Port;
        a.Dispose();
        b.Dispose();
        string name = "pr-pairs";
        try
        {
            var run = await D.DockerAsync("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}-{port + 1}:8080-8081", SharedDaemonFixture.Image,
                "sh", "-c", Httpd(8080) + " & " + Httpd(8081) + " & wait");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal($"127.0.0.1:{port}", (await D.DockerAsync("port", name, "8080")).Stdout.Trim());
            Assert.Equal($"127.0.0.1:{port + 1}", (await D.DockerAsync("port", name, "8081")).Stdout.Trim());
            Assert.Equal("hello-8080\n", await PortProbe.HttpGetAsync($"127.0.0.1:{port}"));
            Assert.Equal("hello-8081\n", await PortProbe.HttpGetAsync($"127.0.0.1:{port + 1}"));
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task BulwarkCli_MismatchedRanges_IsDockersError()
    {
        var run = await D.CliAsync("run", "-d", "-p", "127.0.0.1:8000-8002:80-81", SharedDaemonFixture.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains("invalid ranges specified for container and host Ports: 80-81 and 8000-8002", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Two listening sockets on consecutive loopback ports (kernel-chosen first, then its neighbour when free).</summary>
    private static (Socket First, Socket Second) HoldConsecutivePair()
    {
        var skipped = new List<Socket>();
        try
        {
            for (int attempt = 0; attempt < 200; attempt++)
            {
                var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                first.Listen();
                int port = ((IPEndPoint)first.LocalEndPoint!).Port;
                var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    if (port < 65535)
                    {
                        second.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                        second.Listen();
                        return (first, second);
                    }
                }
                catch (SocketException)
                {
                }
                second.Dispose();
                skipped.Add(first); // held until a pair is found, so the kernel does not hand it out again
            }
            throw new InvalidOperationException("no two consecutive free loopback ports");
        }
        finally
        {
            skipped.ForEach(s => s.Dispose());
        }
    }
}
