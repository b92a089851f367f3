using System.Net;
using System.Net.Sockets;
using Bulwark.Integration.Tests.Fixtures;
using static Bulwark.Integration.Tests.Networks.NetworkProbe;

namespace Bulwark.Integration.Tests.Ports;

/// <summary>
/// Published ports on the IPv6 loopback through the docker CLI (<c>-p '[::1]::80'</c>, <c>-p '[::1]:PORT:80'</c>), on a
/// container with no network of its own and on a user network; an HTTP fetch through [::1]:port from the host.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class Ipv6PublishedPortsTests(SharedDaemonFixture fx)
{
    private const string Httpd = "mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www";

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerRun_Ipv6LoopbackKernelChosenPort_ServesHttpThroughIt_AndShowsTheBindingLikeDockerd()
    {
        await Ipv6Loopback.RequireAsync();
        string name = Unique("pp6");
        try
        {
            await D.MustDockerAsync("run", "-d", "--name", name, "-p", "[::1]::80", SharedDaemonFixture.Image, "sh", "-c", Httpd);
            string hostPort = (await D.MustDockerAsync("port", name, "80")).Trim();
            Assert.Matches(@"^\[::1\]:\d+$", hostPort);
            Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(hostPort));

            string port = hostPort[(hostPort.LastIndexOf(':') + 1)..];
            Assert.Equal($"80/tcp -> [::1]:{port}", (await D.MustDockerAsync("port", name)).Trim());
            Assert.Equal($"[::1]:{port}->80/tcp", (await D.MustDockerAsync("ps", "--filter", "name=" + name, "--format", "{{.Ports}}")).Trim());
            Assert.Equal("""{"80/tcp":[{"HostIp":"::1","HostPort":""}]}""",
                (await D.MustDockerAsync("inspect", "--format", "{{json .HostConfig.PortBindings}}", name)).Trim());
            Assert.Equal($$"""{"80/tcp":[{"HostIp":"::1","HostPort":"{{port}}"}]}""",
                (await D.MustDockerAsync("inspect", "--format", "{{json .NetworkSettings.Ports}}", name)).Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task DockerRun_Ipv6LoopbackFixedPort_OnAUserNetwork_ServesHttpThroughIt_AndIsFreedAtStop()
    {
        await Ipv6Loopback.RequireAsync();
        string name = Unique("pp6n"), network = Unique("pp6net");
        int port = Ipv6Loopback.FreePort();
        try
        {
            await D.MustDockerAsync("network", "create", network);
            await D.MustDockerAsync("run", "-d", "--name", name, "--network", network, "-p", $"[::1]:{port}:80",
                SharedDaemonFixture.Image, "sh", "-c", Httpd);
            Assert.Equal($"[::1]:{port}", (await D.MustDockerAsync("port", name, "80")).Trim());
            Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync($"[::1]:{port}"));
            Assert.Equal($$"""{"80/tcp":[{"HostIp":"::1","HostPort":"{{port}}"}]}""",
                (await D.MustDockerAsync("inspect", "--format", "{{json .HostConfig.PortBindings}}", name)).Trim());

            await D.MustDockerAsync("stop", "-t", "1", name);
            Assert.True(Ipv6Loopback.IsFree(port), $"[::1]:{port} is still bound after the container stopped");
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
            await D.DockerAsync("network", "rm", network);
        }
    }
}

/// <summary>The host's IPv6 loopback: the tests need it and fail (never skip) without it.</summary>
internal static class Ipv6Loopback
{
    /// <summary>Fails the test, naming the cause, unless <c>ip -6 addr show lo</c> lists ::1.</summary>
    public static async Task RequireAsync()
    {
        var r = await ProcessRunner.RunAsync("ip", ["-6", "addr", "show", "lo"]);
        Assert.True(r.ExitCode == 0 && r.Stdout.Contains("inet6 ::1/128", StringComparison.Ordinal),
            "this host has no IPv6 loopback address (ip -6 addr show lo lists no ::1): IPv6 published ports cannot be tested: " + r);
    }

    /// <summary>A port the kernel gives out on [::1] (released at once: the test publishes it).</summary>
    public static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>True when nothing is bound to the TCP port on [::1] any more.</summary>
    public static bool IsFree(int port)
    {
        using var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.Bind(new IPEndPoint(IPAddress.IPv6Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
