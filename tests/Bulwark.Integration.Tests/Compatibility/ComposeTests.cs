using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>docker-compose 1.29 (Debian's, on docker-py 5) against bulwarkd.</summary>
[Collection(DaemonCollection.Name)]
public sealed class ComposeTests(SharedDaemonFixture fx)
{
    private const string ComposeBinary = "/usr/bin/docker-compose";

    // A locked-down service: everything here maps onto fields bulwarkd accepts. `$$` is compose's escape for `$`.
    private const string HardenedService = """
        version: "2.4"
        services:
          app:
            image: test/busybox:1
            network_mode: none
            security_opt:
              - no-new-privileges:true
            read_only: true
            tmpfs:
              - /run
            user: "65534"
            cap_drop: [ALL]
            cap_add: [NET_BIND_SERVICE]
            command: ["sh", "-c", "echo uid=$$(id -u); touch /run/ok && echo tmpfs-writable; touch /ro 2>/dev/null || echo rootfs-read-only; exec sleep 300"]
        """;

    // Without network_mode compose creates "<project>_default" (bridge driver) first.
    private const string DefaultNetworkService = """
        version: "2.4"
        services:
          app:
            image: test/busybox:1
            command: ["true"]
        """;

    // The seeds' "Secure Container Runtime" service (docs seed 000): everything but its seccomp:security-profile.json entry,
    // which compose 1.29 passes on as the profile text itself (dockerd refuses it as JSON too); bulwarkd's default
    // seccomp profile applies. The image is the busybox test image with a "non-root-user" (uid 1000).
    private const string SeedService = """
        version: '3.8'
        services:
          secure-app:
            image: test/secure-app:1
            security_opt:
              - no-new-privileges:true
            read_only: true
            tmpfs:
              - /tmp
            user: non-root-user
            cap_drop:
              - ALL
            cap_add:
              - NET_BIND_SERVICE
            command: ["sleep", "300"]
        """;

    // Two services on two user networks: compose creates each container on its first network and connects the
    // others before starting it; the client reaches the web service by its service name.
    private const string TwoServices = """
        version: "2.4"
        services:
          web:
            image: test/busybox:1
            command: ["sh", "-c", "mkdir /w && echo hello-compose > /w/f && exec httpd -f -p 8080 -h /w"]
            networks: [back]
          client:
            image: test/busybox:1
            command: ["sh", "-c", "ip -o link | grep -c eth; for i in $$(seq 1 50); do wget -q -O - http://web:8080/f && exec sleep 300; sleep 0.2; done; echo unreachable"]
            networks: [front, back]
            depends_on: [web]
        networks:
          front: {}
          back: {}
        """;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task ComposeUpDown_TheSeedsSecureService_RunsConfinedWithAWritableTmpAndLeavesNothing()
    {
        await ImportSecureAppImageAsync();
        string dir = WriteProject("seed", SeedService);
        try
        {
            var up = await ComposeAsync(dir, "-p", "bwseed", "up", "-d");
            Assert.True(up.ExitCode == 0, up.ToString());
            const string c = "bwseed_secure-app_1";
            var inside = await D.DockerAsync("exec", c, "sh", "-c",
                "id -un; id -u; grep -E '^(CapBnd|NoNewPrivs):' /proc/self/status; " +
                "touch /ro 2>/dev/null && echo root-writable || echo root-read-only; " +
                "stat -c %a /tmp; touch /tmp/f && echo tmp-writable");
            Assert.True(inside.ExitCode == 0, inside.ToString());
            Assert.Equal(
                [
                    "non-root-user", "1000", "CapBnd:\t0000000000000400", "NoNewPrivs:\t1",
                    "root-read-only", "1777", "tmp-writable",
                ],
                inside.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            var down = await ComposeAsync(dir, "-p", "bwseed", "down", "-t", "1");
            Assert.True(down.ExitCode == 0, down.ToString());
            Assert.Equal("", (await D.DockerAsync("ps", "-aq", "--filter", "label=com.docker.compose.project=bwseed")).Stdout.Trim());
            Assert.Equal("", (await D.DockerAsync("network", "ls", "-q", "--filter", "label=com.docker.compose.project=bwseed")).Stdout.Trim());
        }
        finally
        {
            await ComposeAsync(dir, "-p", "bwseed", "down", "-t", "0");
        }
    }

    private async Task ImportSecureAppImageAsync()
    {
        string work = Path.Combine(D.Root, "secure-app-image");
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
        Directory.CreateDirectory(work);
        BusyboxImage.BuildRootfsTar(work);
        string rootfs = Path.Combine(work, "rootfs");
        File.AppendAllText(Path.Combine(rootfs, "etc/passwd"), "non-root-user:x:1000:1000::/tmp:/bin/sh\n");
        File.AppendAllText(Path.Combine(rootfs, "etc/group"), "non-root-user:x:1000:\n");
        string tar = Path.Combine(work, "secure-app.tar");
        var t = await ProcessRunner.RunAsync("tar", ["-C", rootfs, "-cf", tar, "."]);
        Assert.True(t.ExitCode == 0, t.ToString());
        var import = await D.CliAsync("import", tar, "test/secure-app:1");
        Assert.True(import.ExitCode == 0, import.ToString());
    }

    [Fact]
    public async Task ComposeUpPsLogsDown_HardenedService_RunsAsNobodyAndIsRemoved()
    {
        string dir = WriteProject("hardened", HardenedService);
        try
        {
            var up = await ComposeAsync(dir, "-p", "bwtest", "up", "-d");
            Assert.True(up.ExitCode == 0, up.ToString());

            var ps = await ComposeAsync(dir, "-p", "bwtest", "ps");
            Assert.True(ps.ExitCode == 0, ps.ToString());
            Assert.Contains("bwtest_app_1", ps.Stdout, StringComparison.Ordinal);
            Assert.Contains(" Up", ps.Stdout, StringComparison.Ordinal);

            var inspect = await D.DockerAsync("inspect", "--format",
                "{{.Config.User}}|{{.HostConfig.NetworkMode}}|{{.HostConfig.ReadonlyRootfs}}|{{json .HostConfig.CapDrop}}|{{json .HostConfig.CapAdd}}|{{json .HostConfig.Tmpfs}}|{{index .Config.Labels \"com.docker.compose.project\"}}",
                "bwtest_app_1");
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            Assert.Equal("65534|none|true|[\"ALL\"]|[\"NET_BIND_SERVICE\"]|{\"/run\":\"\"}|bwtest", inspect.Stdout.Trim());
            var nnp = await D.DockerAsync("exec", "bwtest_app_1", "grep", "NoNewPrivs:", "/proc/self/status");
            Assert.Equal("NoNewPrivs:\t1", nnp.Stdout.Trim());

            // The service prints its lines once before sleeping; wait until they are in the log.
            CommandResult logs = await WaitForLogAsync(dir, "rootfs-read-only");
            string[] lines = logs.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
            // Each log line of the container appears exactly once (compose re-attaches when /events reports a start).
            Assert.Single(lines, l => l.EndsWith("| uid=65534", StringComparison.Ordinal));
            Assert.Single(lines, l => l.EndsWith("| tmpfs-writable", StringComparison.Ordinal));
            Assert.Single(lines, l => l.EndsWith("| rootfs-read-only", StringComparison.Ordinal));

            var down = await ComposeAsync(dir, "-p", "bwtest", "down", "-t", "1");
            Assert.True(down.ExitCode == 0, down.ToString());
            var left = await D.DockerAsync("ps", "-a", "--filter", "label=com.docker.compose.project=bwtest", "-q");
            Assert.Equal("", left.Stdout.Trim());
        }
        finally
        {
            await ComposeAsync(dir, "-p", "bwtest", "down", "-t", "0");
        }
    }

    [Fact]
    public async Task ComposeUp_ServiceWithoutNetworkMode_CreatesTheProjectNetworkAndRuns()
    {
        string dir = WriteProject("defaultnet", DefaultNetworkService);
        try
        {
            var up = await ComposeAsync(dir, "-p", "bwnet", "up", "-d");
            Assert.True(up.ExitCode == 0, up.ToString());
            var net = await D.DockerAsync("network", "inspect", "--format",
                "{{.Driver}}|{{index .Labels \"com.docker.compose.project\"}}|{{index .Labels \"com.docker.compose.network\"}}", "bwnet_default");
            Assert.True(net.ExitCode == 0, net.ToString());
            Assert.Equal("bridge|bwnet|default", net.Stdout.Trim());
            // The container was attached with the service name as alias.
            var inspect = await D.DockerAsync("inspect", "--format",
                "{{.HostConfig.NetworkMode}}|{{json (index .NetworkSettings.Networks \"bwnet_default\").Aliases}}", "bwnet_app_1");
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            Assert.StartsWith("bwnet_default|", inspect.Stdout.Trim(), StringComparison.Ordinal);
            Assert.Contains("\"app\"", inspect.Stdout, StringComparison.Ordinal);
            var down = await ComposeAsync(dir, "-p", "bwnet", "down", "-t", "1");
            Assert.True(down.ExitCode == 0, down.ToString());
            var left = await D.DockerAsync("network", "ls", "-q", "--filter", "name=bwnet_default");
            Assert.Equal("", left.Stdout.Trim());
        }
        finally
        {
            await ComposeAsync(dir, "-p", "bwnet", "down", "-t", "0");
        }
    }

    [Fact]
    public async Task ComposeUp_TwoServicesOnTwoNetworks_ClientReachesTheWebServiceByName()
    {
        string dir = WriteProject("twoservices", TwoServices);
        try
        {
            var up = await ComposeAsync(dir, "-p", "bwtest", "up", "-d");
            Assert.True(up.ExitCode == 0, up.ToString());
            var logs = await WaitForLogAsync(dir, "hello-compose");
            Assert.DoesNotContain("unreachable", logs.Stdout, StringComparison.Ordinal);
            Assert.Matches(new System.Text.RegularExpressions.Regex(@"client_1\s*\|\s*2\s*$", System.Text.RegularExpressions.RegexOptions.Multiline), logs.Stdout); // eth0 and eth1
            var nets = await D.DockerAsync("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "bwtest_client_1");
            Assert.Equal("bwtest_back bwtest_front", nets.Stdout.Trim());
            var down = await ComposeAsync(dir, "-p", "bwtest", "down", "-t", "0");
            Assert.True(down.ExitCode == 0, down.ToString());
        }
        finally
        {
            await ComposeAsync(dir, "-p", "bwtest", "down", "-t", "0");
        }
    }

    private string WriteProject(string name, string composeYaml)
    {
        string dir = Path.Combine(D.Root, "compose-" + name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "docker-compose.yml"), composeYaml);
        return dir;
    }

    private async Task<CommandResult> WaitForLogAsync(string dir, string marker)
    {
        CommandResult logs = await ComposeAsync(dir, "-p", "bwtest", "logs", "--no-color");
        for (int i = 0; i < 100 && !logs.Stdout.Contains(marker, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            logs = await ComposeAsync(dir, "-p", "bwtest", "logs", "--no-color");
        }
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Contains(marker, logs.Stdout, StringComparison.Ordinal);
        return logs;
    }

    private Task<CommandResult> ComposeAsync(string projectDir, params string[] args) =>
        ProcessRunner.RunAsync(ComposeBinary, ["--project-directory", projectDir, "-f", Path.Combine(projectDir, "docker-compose.yml"), .. args],
            new Dictionary<string, string>
            {
                ["DOCKER_HOST"] = D.Host,
                ["DOCKER_CONFIG"] = Path.Combine(D.Root, "docker-config"),
                ["COMPOSE_INTERACTIVE_NO_CLI"] = "1",
            },
            timeout: TimeSpan.FromSeconds(120));
}
