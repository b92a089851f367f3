using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Networks;

/// <summary>
/// Opt-in egress (com.bulwark.network.egress / .egress.allow) proven from inside busybox containers against an
/// "outside" that is a network namespace the test creates (<see cref="OutsideNamespace"/>): no other address is ever
/// contacted. Dropped connections time out (the firewall drops, it does not reject), so they use short timeouts.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class EgressTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>Prints "NAME:" followed by the body or nc's error ("nc: timed out" when dropped), for each host:port.</summary>
    private static string Probe(params (string Name, string Host, int Port)[] targets) =>
        string.Join("; ", targets.Select(t => $"echo {t.Name}:$({OutsideNamespace.Get(t.Host, t.Port)})"));

    [Fact]
    public async Task EgressNetwork_ReachesOnlyAllowedDestinationPorts_CountsBoth_AndOtherNetworksHaveNoEgress()
    {
        await using var outside = await OutsideNamespace.CreateAsync();
        string egress = Unique("eg"), plain = Unique("pl"), late = Unique("lt");
        try
        {
            await MustAsync("network", "create", "-o", "com.bulwark.network.egress=true",
                "-o", $"com.bulwark.network.egress.allow={outside.Server}/32:8080,9999", egress);
            await MustAsync("network", "create", plain);

            var r = await D.DockerAsync("run", "--rm", "--network", egress, Image, "sh", "-c",
                Probe(("ALLOWED", outside.Server, 8080), ("OTHERPORT", outside.Server, 8081),
                    ("OTHERADDR", outside.OtherServer, 8080), ("HOSTADDR", outside.Prefix + ".1", 8080)) + "; ip route");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Contains("ALLOWED:outside-8080", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("OTHERPORT:nc: timed out", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("OTHERADDR:nc: timed out", r.Stdout, StringComparison.Ordinal);
            // The host's own addresses (other than the gateway) are not a way around the allowlist.
            Assert.Contains("HOSTADDR:nc: timed out", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("default via", r.Stdout, StringComparison.Ordinal);

            using var inspect = JsonDocument.Parse(await MustAsync("network", "inspect", egress));
            var e = inspect.RootElement[0].GetProperty("BulwarkEgress");
            Assert.Equal($"{outside.Server}/32:8080,9999/tcp", e.GetProperty("Allow")[0].GetString());
            Assert.True(e.GetProperty("Allowed").GetProperty("Packets").GetUInt64() >= 3, e.ToString());
            Assert.True(e.GetProperty("Allowed").GetProperty("Bytes").GetUInt64() > 100, e.ToString());
            // At least the SYN of each of the three refused connections.
            Assert.True(e.GetProperty("Dropped").GetProperty("Packets").GetUInt64() >= 3, e.ToString());

            // Our CLI shows the same key (inspect prints the daemon's JSON).
            var ours = await D.CliAsync("network", "inspect", "-f", "{{.BulwarkEgress.Dropped.Packets}}", egress);
            Assert.True(ours.ExitCode == 0 && ulong.Parse(ours.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) >= 3, ours.ToString());

            // A network without the option: no route out at all.
            var p = await D.DockerAsync("run", "--rm", "--network", plain, Image, "sh", "-c", Probe(("PLAIN", outside.Server, 8080)));
            Assert.Contains($"PLAIN:nc: can't connect to remote host ({outside.Server}): Network is unreachable", p.Stdout, StringComparison.Ordinal);
            using var plainInspect = JsonDocument.Parse(await MustAsync("network", "inspect", plain));
            Assert.False(plainInspect.RootElement[0].TryGetProperty("BulwarkEgress", out _));

            // Connected while running: the new interface brings the default route, the allowlist still decides.
            await MustAsync("run", "-d", "--name", late, "--network", plain, Image, "sleep", "600");
            await MustAsync("network", "connect", egress, late);
            var connected = await D.DockerAsync("exec", late, "sh", "-c",
                Probe(("ALLOWED", outside.Server, 8080), ("OTHERPORT", outside.Server, 8081)));
            Assert.Contains("ALLOWED:outside-8080", connected.Stdout, StringComparison.Ordinal);
            Assert.Contains("OTHERPORT:nc: timed out", connected.Stdout, StringComparison.Ordinal);
            await MustAsync("rm", "-f", late);

            string id12 = inspect.RootElement[0].GetProperty("Id").GetString()![..12];
            Assert.Contains("chain fwd_" + id12, await NftTableAsync(), StringComparison.Ordinal);
            await MustAsync("network", "rm", egress);
            Assert.DoesNotContain(id12, await NftTableAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", late);
            await D.DockerAsync("network", "rm", egress, plain);
        }
    }

    [Fact]
    public async Task EgressToEverywhere_StillNeverForwardsIntoAnotherBulwarkNetwork()
    {
        string open = Unique("eo"), isolated = Unique("is"), server = Unique("iss");
        try
        {
            await MustAsync("network", "create", "-o", "com.bulwark.network.egress=true", "-o", "com.bulwark.network.egress.allow=0.0.0.0/0", open);
            await MustAsync("network", "create", isolated);
            await MustAsync("run", "-d", "--name", server, "--network", isolated, Image, "sh", "-c",
                "mkdir /w && echo isolated > /w/f && exec httpd -f -p 8080 -h /w");
            string ip = (await MustAsync("inspect", "--format", $"{{{{(index .NetworkSettings.Networks \"{isolated}\").IPAddress}}}}", server)).Trim();
            var r = await D.DockerAsync("run", "--rm", "--network", open, Image, "sh", "-c", Probe(("ISOLATED", ip, 8080)));
            Assert.Contains("ISOLATED:nc: timed out", r.Stdout, StringComparison.Ordinal);
            // The SYN was dropped by our rule, not let through and lost on the way back.
            using var inspect = JsonDocument.Parse(await MustAsync("network", "inspect", open));
            var e = inspect.RootElement[0].GetProperty("BulwarkEgress");
            Assert.Equal(0UL, e.GetProperty("Allowed").GetProperty("Packets").GetUInt64());
            Assert.True(e.GetProperty("Dropped").GetProperty("Packets").GetUInt64() >= 1, e.ToString());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", server);
            await D.DockerAsync("network", "rm", open, isolated);
        }
    }

    [Theory]
    [InlineData("com.bulwark.network.egres=true", "unknown network option com.bulwark.network.egres")]
    [InlineData("com.bulwark.network.egress=true", "needs com.bulwark.network.egress.allow")]
    [InlineData("com.bulwark.network.egress.allow=10.99.0.0/24:80", "needs com.bulwark.network.egress=true")]
    [InlineData("com.bulwark.network.egress=yes", "expected true or false")]
    [InlineData("com.bulwark.network.rate=fast", "invalid com.bulwark.network.rate=\"fast\"")]
    [InlineData("com.docker.network.bridge.enable_ip_masquerade=true", "unless created with com.bulwark.network.egress=true")]
    public async Task BadBulwarkNetworkOption_IsRefusedByName_AndNothingIsCreated(string option, string expected)
    {
        string n = Unique("bad");
        var r = await D.DockerAsync("network", "create", "-o", option, n);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Stderr, StringComparison.Ordinal);
        var ls = await MustAsync("network", "ls", "--format", "{{.Name}}");
        Assert.DoesNotContain(n, ls, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadAllowlistEntry_IsRefusedNamingIt()
    {
        var r = await D.DockerAsync("network", "create", "-o", "com.bulwark.network.egress=true",
            "-o", "com.bulwark.network.egress.allow=10.99.0.0/24:70000", Unique("bad"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("\"70000\" is not a port", r.Stderr, StringComparison.Ordinal);
        var internalAndEgress = await D.DockerAsync("network", "create", "--internal", "-o", "com.bulwark.network.egress=true",
            "-o", "com.bulwark.network.egress.allow=10.99.0.0/24", Unique("bad"));
        Assert.Equal(1, internalAndEgress.ExitCode);
        Assert.Contains("contradict", internalAndEgress.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> NftTableAsync() =>
        (await ProcessRunner.RunAsync("nft", ["list", "table", "inet", "bulwark"])).Stdout;

    private async Task<string> MustAsync(params string[] args)
    {
        var r = await D.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}");
        return r.Stdout;
    }
}
