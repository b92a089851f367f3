using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Ports;

/// <summary>Published ports through docker-py against a real bulwarkd, on loopback.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerPyPortTests(SharedDaemonFixture fx)
{
    private const string Httpd = "mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www";

    // Prints the host port docker-py reports for 80/tcp and what an HTTP GET through it returns.
    private const string DockerPyScript = """
        import sys, time, urllib.request
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        c = client.containers.run(sys.argv[2], ["sh", "-c", sys.argv[3]], detach=True, ports={"80/tcp": None})
        try:
            c.reload()
            binding = c.ports["80/tcp"][0]
            print("host=" + binding["HostIp"])
            deadline = time.monotonic() + 30
            while True:
                try:
                    body = urllib.request.urlopen("http://%s:%s/" % (binding["HostIp"], binding["HostPort"]), timeout=10).read()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
            print("body=" + body.decode().strip())
        finally:
            c.remove(force=True)
        """;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DockerPy_PortsNone_PublishesOnALoopbackKernelChosenPort()
    {
        string dir = Path.Combine(D.Root, "py");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "ports.py");
        await File.WriteAllTextAsync(file, DockerPyScript);
        var r = await ProcessRunner.RunAsync("/usr/bin/python3", [file, D.SocketPath, SharedDaemonFixture.Image, Httpd], timeout: TimeSpan.FromSeconds(120));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("host=127.0.0.1\nbody=hello-from-container\n", r.Stdout);
    }
}
