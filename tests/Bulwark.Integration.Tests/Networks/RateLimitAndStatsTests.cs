using System.Globalization;
using System.Text.RegularExpressions;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Networks;

/// <summary>
/// Per-endpoint rate limits (com.bulwark.network.rate) proven by tc's own counters after a real 1 MB transfer between
/// two containers, and per-container traffic counters in stats (Docker's networks key) read by docker-py and the
/// docker CLI.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed partial class RateLimitAndStatsTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    private const string Serve1MB = "mkdir /w && dd if=/dev/zero of=/w/f bs=1024 count=1024 2>/dev/null && exec httpd -f -p 8080 -h /w";

    private static string Download(string host) =>
        $"for i in $(seq 1 50); do wget -q -O /tmp/f http://{host}:8080/f && break; sleep 0.2; done; wc -c < /tmp/f";

    [Fact]
    public async Task IngressLimit_ShapesWhatTheContainerReceives_OnTheHostSideOfItsVeth()
    {
        var (hostSide, _, lift) = await DownloadOnceAsync("com.bulwark.network.rate.ingress=2mbit");
        // The client's download waited in its host-side bucket; the server's sending was not limited (no bucket).
        Assert.Contains("qdisc tbf", hostSide, StringComparison.Ordinal);
        Assert.Contains("rate 2Mbit", hostSide, StringComparison.Ordinal);
        var (sent, overlimits) = Counters(hostSide);
        Assert.True(sent >= 1_048_576 && overlimits > 0, hostSide);
        Assert.True(lift.ExitCode != 0 && (lift.Stdout + lift.Stderr).Contains("Operation not permitted", StringComparison.Ordinal), lift.ToString());
    }

    [Fact]
    public async Task EgressLimit_ShapesWhatTheContainerSends_InsideItsNamespace_AndItsRootCannotLiftIt()
    {
        var (_, serverInside, lift) = await DownloadOnceAsync("com.bulwark.network.rate.egress=2mbit");
        Assert.Contains("rate 2Mbit", serverInside, StringComparison.Ordinal);
        var (sent, overlimits) = Counters(serverInside);
        Assert.True(sent >= 1_048_576 && overlimits > 0, serverInside);
        // The container's root has no NET_ADMIN in its namespace, which changing its bucket needs.
        Assert.True(lift.ExitCode != 0 && (lift.Stdout + lift.Stderr).Contains("Operation not permitted", StringComparison.Ordinal), lift.ToString());
    }

    /// <summary>
    /// A client downloads 1 MB from a server on a network with <paramref name="option"/>; returns tc -s of the client's
    /// host-side veth, tc -s of the server's eth0 inside its namespace, and the server's attempt at a link change.
    /// </summary>
    private async Task<(string ClientHostSide, string ServerInside, CommandResult Lift)> DownloadOnceAsync(string option)
    {
        string n = Unique("rl"), server = Unique("rls"), client = Unique("rlc");
        try
        {
            await MustAsync("network", "create", "-o", option, n);
            await MustAsync("run", "-d", "--name", server, "--network", n, Image, "sh", "-c", Serve1MB);
            await MustAsync("run", "-d", "--name", client, "--network", n, Image, "sleep", "600");
            var r = await D.DockerAsync("exec", client, "sh", "-c", Download(server));
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("1048576", r.Stdout.Trim());
            string endpoint = (await MustAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{n}\").EndpointID}}}}", client)).Trim();
            var hostSide = await ProcessRunner.RunAsync("tc", ["-s", "qdisc", "show", "dev", "bv" + endpoint[..12]]);
            string pid = (await MustAsync("inspect", "--format", "{{.State.Pid}}", server)).Trim();
            var inside = await ProcessRunner.RunAsync("nsenter", [$"--net=/proc/{pid}/ns/net", "tc", "-s", "qdisc", "show", "dev", "eth0"]);
            // Changing a qdisc needs NET_ADMIN in the namespace, like any link change (busybox's tc cannot delete one).
            var lift = await D.DockerAsync("exec", server, "ip", "link", "set", "eth0", "down");
            return (hostSide.Stdout, inside.Stdout, lift);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server, client);
            await D.DockerAsync("network", "rm", n);
        }
    }

    [Fact]
    public async Task Stats_ShowPerInterfaceTrafficCounters_UnderNetworks_AsDockerDoes()
    {
        string n = Unique("st"), server = Unique("sts"), client = Unique("stc"), lonely = Unique("stn");
        try
        {
            await MustAsync("network", "create", n);
            await MustAsync("run", "-d", "--name", server, "--network", n, Image, "sh", "-c", Serve1MB);
            await MustAsync("run", "-d", "--name", client, "--network", n, Image, "sleep", "600");
            await MustAsync("run", "-d", "--name", lonely, Image, "sleep", "600");
            var r = await D.DockerAsync("exec", client, "sh", "-c", Download(server));
            Assert.True(r.ExitCode == 0, r.ToString());

            var py = await ProcessRunner.RunAsync("/usr/bin/python3", ["-c",
                "import docker,sys; c=docker.DockerClient(base_url=sys.argv[1]); " +
                "s=c.containers.get(sys.argv[2]).stats(stream=False); e=s['networks']['eth0']; " +
                "print(e['rx_bytes'], e['tx_bytes'], e['rx_packets'], e['tx_packets'], sorted(s['networks'])); " +
                "print('lonely', 'networks' in c.containers.get(sys.argv[3]).stats(stream=False))",
                D.Host, client, lonely]);
            Assert.True(py.ExitCode == 0, py.ToString());
            string[] f = py.Stdout.Split('\n')[0].Split(' ');
            Assert.True(ulong.Parse(f[0], CultureInfo.InvariantCulture) >= 1_048_576, py.Stdout);
            Assert.True(ulong.Parse(f[1], CultureInfo.InvariantCulture) > 0 && ulong.Parse(f[3], CultureInfo.InvariantCulture) > 0, py.Stdout);
            Assert.Contains("['eth0']", py.Stdout, StringComparison.Ordinal);
            Assert.Contains("lonely False", py.Stdout, StringComparison.Ordinal);

            var cli = await MustAsync("stats", "--no-stream", "--format", "{{.NetIO}}", client);
            Assert.Matches(@"^1\.\d+MB / \d", cli.Trim());
            var ours = await D.CliAsync("stats", "--no-stream", "--format", "{{.NetIO}}", client);
            Assert.True(ours.ExitCode == 0, ours.ToString());
            Assert.Matches(@"^1\.\d+MB / \d", ours.Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server, client, lonely);
            await D.DockerAsync("network", "rm", n);
        }
    }

    /// <summary>"Sent N bytes … overlimits M" of tc -s qdisc show.</summary>
    private static (ulong Sent, ulong Overlimits) Counters(string tcOutput)
    {
        var m = TcCounters().Match(tcOutput);
        Assert.True(m.Success, tcOutput);
        return (ulong.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), ulong.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"Sent (\d+) bytes .*overlimits (\d+)", RegexOptions.Singleline)]
    private static partial Regex TcCounters();

    private async Task<string> MustAsync(params string[] args)
    {
        var r = await D.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}");
        return r.Stdout;
    }
}
