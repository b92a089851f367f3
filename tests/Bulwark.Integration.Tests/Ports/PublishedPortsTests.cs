using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Ports;

/// <summary>Published ports (-p, -P, --expose) through the docker CLI against a real bulwarkd: loopback only.</summary>
[Collection(DaemonCollection.Name)]
public sealed class PublishedPortsTests(SharedDaemonFixture fx)
{
    private const string Httpd = "mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www";

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerRun_RandomLoopbackPort_ServesHttpThroughTheHostPort_AndIsFreedAtStop()
    {
        string name = "pp-http";
        var run = await D.DockerAsync("run", "-d", "--name", name, "-p", "127.0.0.1::80", SharedDaemonFixture.Image, "sh", "-c", Httpd);
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            var port = await D.DockerAsync("port", name, "80");
            Assert.True(port.ExitCode == 0, port.ToString());
            string hostPort = port.Stdout.Trim();
            Assert.Matches(@"^127\.0\.0\.1:\d+$", hostPort);
            Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(hostPort));

            var ps = await D.DockerAsync("ps", "--filter", "name=" + name, "--format", "{{.Ports}}");
            Assert.Equal(hostPort + "->80/tcp", ps.Stdout.Trim());
            var publishFilter = await D.DockerAsync("ps", "-q", "--filter", "publish=" + hostPort.Split(':')[1]);
            Assert.NotEqual("", publishFilter.Stdout.Trim());

            var inspect = await InspectAsync(name);
            Assert.Equal("""{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]}""", Compact(inspect.GetProperty("HostConfig").GetProperty("PortBindings")));
            Assert.Equal($$"""{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"{{hostPort.Split(':')[1]}}"}]}""",
                Compact(inspect.GetProperty("NetworkSettings").GetProperty("Ports")));
            Assert.True(inspect.GetProperty("Config").GetProperty("ExposedPorts").TryGetProperty("80/tcp", out _));

            Assert.Equal(0, (await D.DockerAsync("stop", "-t", "1", name)).ExitCode);
            Assert.True(PortProbe.IsFree(IPAddress.Loopback, int.Parse(hostPort.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)),
                "the host port is still bound after the container stopped");
            Assert.Equal("{}", Compact((await InspectAsync(name)).GetProperty("NetworkSettings").GetProperty("Ports")));
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task DockerRun_HostPortInUse_FailsTheStartNamingTheAddress_AndLeavesNothingRunning()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        string name = "pp-inuse";
        try
        {
            var run = await D.DockerAsync("run", "-d", "--name", name, "-p", $"127.0.0.1:{port}:80", SharedDaemonFixture.Image, "sleep", "60");
            Assert.Equal(125, run.ExitCode);
            Assert.Contains($"Bind for 127.0.0.1:{port} failed: port is already allocated", run.Stderr, StringComparison.Ordinal);
            var inspect = await InspectAsync(name);
            Assert.False(inspect.GetProperty("State").GetProperty("Running").GetBoolean());
            Assert.Equal(0, D.Pid is { } pid ? CountListeners(pid) : 0);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task DockerRun_PublishAllWithExpose_PublishesEveryExposedPortOnLoopback()
    {
        string name = "pp-all";
        var run = await D.DockerAsync("run", "-d", "--name", name, "-P", "--expose", "80", "--expose", "9000/udp",
            SharedDaemonFixture.Image, "sh", "-c", Httpd);
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            var port = await D.DockerAsync("port", name);
            Assert.True(port.ExitCode == 0, port.ToString());
            string[] lines = port.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            string tcp = Assert.Single(lines, l => l.StartsWith("80/tcp -> ", StringComparison.Ordinal));
            Assert.Matches(@"^9000/udp -> 127\.0\.0\.1:\d+$", Assert.Single(lines, l => l.StartsWith("9000/udp", StringComparison.Ordinal)));
            Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(tcp["80/tcp -> ".Length..]));
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task DockerRun_UdpPort_EchoesDatagramsThroughTheHostPort()
    {
        string bin = Path.Combine(D.Root, "udp-echo-bin");
        Directory.CreateDirectory(bin);
        var gcc = await ProcessRunner.RunAsync("gcc", ["-static", "-O2", "-o", Path.Combine(bin, "udp-echo"), Path.Combine(RepoPaths.Root, "tests/probe/udp-echo.c")]);
        Assert.True(gcc.ExitCode == 0, gcc.ToString());
        string name = "pp-udp";
        var run = await D.DockerAsync("run", "-d", "--name", name, "-v", bin + ":/opt/echo:ro", "-p", "127.0.0.1::5353/udp",
            SharedDaemonFixture.Image, "/opt/echo/udp-echo", "5353");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            var port = await D.DockerAsync("port", name, "5353/udp");
            Assert.True(port.ExitCode == 0, port.ToString());
            var endpoint = IPEndPoint.Parse(port.Stdout.Trim());
            Assert.Equal("echo:ping", await PortProbe.UdpRoundTripAsync(endpoint, "ping"));
            Assert.Equal(0, (await D.DockerAsync("stop", "-t", "1", name)).ExitCode);
            Assert.True(PortProbe.IsFree(IPAddress.Loopback, endpoint.Port, ProtocolType.Udp), "the UDP host port is still bound after stop");
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
        }
    }

    [Fact]
    public async Task DockerRun_OnAUserNetwork_ServesThroughThePublishedPort()
    {
        Assert.Equal(0, (await D.DockerAsync("network", "create", "pp-net")).ExitCode);
        string name = "pp-netc";
        try
        {
            var run = await D.DockerAsync("run", "-d", "--name", name, "--network", "pp-net", "-p", "127.0.0.1::80", SharedDaemonFixture.Image, "sh", "-c", Httpd);
            Assert.True(run.ExitCode == 0, run.ToString());
            var port = await D.DockerAsync("port", name, "80/tcp");
            Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(port.Stdout.Trim()));
        }
        finally
        {
            await D.DockerAsync("rm", "-f", name);
            await D.DockerAsync("network", "rm", "pp-net");
        }
    }

    [Fact]
    public async Task BulwarkCli_RunPublish_PortAndPsShowTheBinding_AndTheServerAnswers()
    {
        string name = "pp-ourcli";
        var run = await D.CliAsync("run", "-d", "--name", name, "-p", "127.0.0.1::80", "--expose", "9000/udp", SharedDaemonFixture.Image, "sh", "-c", Httpd);
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            var port = await D.CliAsync("port", name, "80");
            Assert.True(port.ExitCode == 0, port.ToString());
            string hostPort = port.Stdout.Trim();
            Assert.Matches(@"^127\.0\.0\.1:\d+$", hostPort);
            Assert.Equal($"80/tcp -> {hostPort}\n", (await D.CliAsync("port", name)).Stdout);
            Assert.Equal("hello-from-container\n", await PortProbe.HttpGetAsync(hostPort));
            var ps = await D.CliAsync("ps", "--filter", "name=" + name, "--format", "{{.Ports}}");
            Assert.Equal($"{hostPort}->80/tcp, 9000/udp", ps.Stdout.Trim());
            var missing = await D.CliAsync("port", name, "9000/udp");
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("No public port '9000/udp' published for " + name, missing.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.CliAsync("rm", "-f", name);
        }
    }

    [Theory]
    [InlineData("127.0.0.1:80:80", "published-ports.allow-privileged-ports")]
    [InlineData("0.0.0.0::80", "published-ports.allowed-host-ips")]
    public async Task DockerRun_RefusedByDefaultPolicy_Is403NamingTheRule_AndCreatesNothing(string publish, string rule)
    {
        string name = "pp-refused-" + rule.Split('.')[1];
        var run = await D.DockerAsync("run", "-d", "--name", name, "-p", publish, SharedDaemonFixture.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains(rule, run.Stderr, StringComparison.Ordinal);
        var inspect = await D.DockerAsync("inspect", name);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    [Theory]
    [InlineData("127.0.0.1::80/sctp", "protocol \"sctp\" is not supported")]
    [InlineData("127.0.0.1:8000-8002:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8000-8002")]
    public async Task DockerRun_UnsupportedPublishSpec_IsAClearError(string publish, string message)
    {
        var run = await D.DockerAsync("run", "-d", "-p", publish, SharedDaemonFixture.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    private async Task<JsonElement> InspectAsync(string name)
    {
        var r = await D.DockerAsync("inspect", name);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.Stdout).RootElement[0].Clone();
    }

    private static string Compact(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>TCP sockets in LISTEN state the process holds besides its API socket (the daemon has no other TCP listener).</summary>
    private static int CountListeners(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            string? target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }
        return File.ReadLines($"/proc/{pid}/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f[3] == "0A" && inodes.Contains(f[9]));
    }
}
