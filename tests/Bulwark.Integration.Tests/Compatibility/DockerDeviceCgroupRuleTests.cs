using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>
/// <c>--device-cgroup-rule</c> with the docker CLI. A container cannot make device nodes (no CAP_MKNOD) and host device
/// nodes are not readable by its remapped root, so what is proven is: the rule is validated, kept and shown in
/// inspect, written after the default deny and allow list into the bundle's config.json, and (on cgroup v1, where the
/// container can read its devices.list) in force in the kernel's device cgroup, absent without the rule.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerDeviceCgroupRuleTests(SharedDaemonFixture fx)
{
    private const string DevicesList = "cat /sys/fs/cgroup/devices/devices.list 2>/dev/null || echo no-v1-devices-list";

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task DeviceCgroupRule_IsShownInInspect_WrittenToTheBundle_AndInForceInTheDeviceCgroup()
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string with = "dcr-" + suffix, without = "dcr0-" + suffix;
        try
        {
            var run = await D.DockerAsync("run", "-d", "--name", with, "--device-cgroup-rule", "c 10:229 rw", "--device-cgroup-rule", "b 7:* r",
                SharedDaemonFixture.Image, "sleep", "600");
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("[c 10:229 rw b 7:* r]", (await D.DockerAsync("inspect", "-f", "{{.HostConfig.DeviceCgroupRules}}", with)).Stdout.Trim());

            string id = run.Stdout.Trim();
            using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(D.DataRoot, "containers", id, "config.json")));
            var rules = config.RootElement.GetProperty("linux").GetProperty("resources").GetProperty("devices").EnumerateArray().ToList();
            Assert.False(rules[0].GetProperty("allow").GetBoolean()); // default deny first
            var last = rules[^2];
            Assert.True(last.GetProperty("allow").GetBoolean());
            Assert.Equal(("c", 10, 229, "rw"), (last.GetProperty("type").GetString(), last.GetProperty("major").GetInt64(), last.GetProperty("minor").GetInt64(), last.GetProperty("access").GetString()));
            var wildcard = rules[^1];
            Assert.Equal(("b", 7, "r"), (wildcard.GetProperty("type").GetString(), wildcard.GetProperty("major").GetInt64(), wildcard.GetProperty("access").GetString()));
            Assert.False(wildcard.TryGetProperty("minor", out var minor) && minor.ValueKind != JsonValueKind.Null, "'*' leaves the minor out");

            var inside = await D.DockerAsync("exec", with, "sh", "-c", DevicesList);
            Assert.True(inside.ExitCode == 0, inside.ToString());
            Assert.Equal(0, (await D.DockerAsync("run", "-d", "--name", without, SharedDaemonFixture.Image, "sleep", "600")).ExitCode);
            var insideWithout = await D.DockerAsync("exec", without, "sh", "-c", DevicesList);
            Assert.True(insideWithout.ExitCode == 0, insideWithout.ToString());
            if (!inside.Stdout.Contains("no-v1-devices-list", StringComparison.Ordinal))
            {
                Assert.Contains("c 10:229 rw", inside.Stdout, StringComparison.Ordinal);
                Assert.Contains("b 7:* r", inside.Stdout, StringComparison.Ordinal);
                Assert.DoesNotContain("c 10:229", insideWithout.Stdout, StringComparison.Ordinal);
                Assert.DoesNotContain("b 7:", insideWithout.Stdout, StringComparison.Ordinal);
            }
        }
        finally
        {
            await D.DockerAsync("rm", "-f", with);
            await D.DockerAsync("rm", "-f", without);
        }
    }

    // docker-py, because the docker CLI checks the syntax itself before sending: this proves the daemon's own check.
    private const string CreateScript = """
        import sys
        import docker

        client = docker.DockerClient(base_url="unix://" + sys.argv[1])
        hc = client.api.create_host_config(device_cgroup_rules=[sys.argv[3]])
        try:
            client.api.create_container(sys.argv[2], ["true"], host_config=hc)
            print("created")
        except docker.errors.APIError as e:
            print("%d %s" % (e.status_code, e.explanation))
        """;

    [Theory]
    [InlineData("c 1:3")]
    [InlineData("x 1:3 r")]
    [InlineData("c one:3 r")]
    [InlineData("c 1:3 rx")]
    public async Task MalformedDeviceCgroupRule_IsA400AtCreate_NamingTheRule(string rule)
    {
        string dir = Path.Combine(D.Root, "py");
        Directory.CreateDirectory(dir);
        string script = Path.Combine(dir, "dcr-" + Guid.NewGuid().ToString("N")[..8] + ".py");
        await File.WriteAllTextAsync(script, CreateScript);
        try
        {
            var py = await ProcessRunner.RunAsync("/usr/bin/python3", [script, D.SocketPath, SharedDaemonFixture.Image, rule], timeout: TimeSpan.FromSeconds(120));
            Assert.True(py.ExitCode == 0, py.ToString());
            Assert.StartsWith($"400 invalid device cgroup format '{rule}'", py.Stdout.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
