using Bulwark.Integration.Tests.Fixtures;
using DotNet.Testcontainers.Builders;

namespace Bulwark.Testcontainers.Tests.Ports;

/// <summary>Testcontainers for .NET against a real bulwarkd: a random published port, an HTTP wait strategy, a
/// request through the host port (loopback only; no Ryuk, there is no ryuk image).</summary>
[Collection(DaemonCollection.Name)]
public sealed class TestcontainersPortTests(SharedDaemonFixture fx)
{
    private const string Httpd = "mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www";

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task Testcontainers_RandomPublishedPortWithHttpWait_ServesARequestThroughTheHostPort()
    {
        Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        // The test host may itself be a container (/.dockerenv): Testcontainers would then look for the default bridge
        // network's gateway. Published ports are on loopback here, so say so.
        Environment.SetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        var container = HttpdWithRandomPort(D.Host);
        await using (container)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await container.StartAsync(timeout.Token);
            ushort port = container.GetMappedPublicPort(80);
            Assert.NotEqual(0, port);
            using var http = new HttpClient();
            string body = await http.GetStringAsync(new Uri($"http://{container.Hostname}:{port}/"));
            Assert.Equal("hello-from-container\n", body);
        }
    }

    [Fact]
    public async Task Testcontainers_AgainstUserlandProxyFalse_WaitsAndRequestsOverThePortLink()
    {
        Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        Environment.SetEnvironmentVariable("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1");
        await using var daemon = await DaemonInstance.StartAsync(null, ["--userland-proxy=false"]);
        await daemon.ImportBusyboxAsync(SharedDaemonFixture.Image);
        var container = HttpdWithRandomPort(daemon.Host);
        await using (container)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await container.StartAsync(timeout.Token);
            ushort port = container.GetMappedPublicPort(80);
            using var http = new HttpClient();
            Assert.Equal("hello-from-container\n", await http.GetStringAsync(new Uri($"http://{container.Hostname}:{port}/")));
            // The same dual-stack socket HttpClient uses: the kernel chose the port link's host end as its source.
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(container.Hostname, port);
            var local = ((System.Net.IPEndPoint)client.Client.LocalEndPoint!).Address.MapToIPv4().GetAddressBytes();
            Assert.True(local[0] == 169 && local[1] == 254 && local[2] is >= 64 and < 128, "not over a port link: " + string.Join('.', local));
        }
    }

    private static DotNet.Testcontainers.Containers.IContainer HttpdWithRandomPort(string endpoint) =>
        new ContainerBuilder(SharedDaemonFixture.Image)
            .WithDockerEndpoint(endpoint)
            .WithImagePullPolicy(_ => false)
            .WithCommand("sh", "-c", Httpd)
            .WithPortBinding(80, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(80)))
            .Build();
}
