using System.Text.Json;
using Bulwark.Audit.Bench;

namespace Bulwark.Audit.Tests.Bench;

public sealed class BenchRunnerTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static readonly JsonElement HardenedInfo = Parse("""
        {"Name":"h","DockerRootDir":"/var/lib/bulwark","Driver":"overlay2","Containers":3,
         "SecurityOptions":["name=seccomp,profile=bulwark-default","name=no-new-privileges","name=userns,user=bulwark"],
         "RegistryConfig":{"InsecureRegistryCIDRs":["127.0.0.0/8"]}}
        """);

    private static readonly JsonElement DockerInfo = Parse("""
        {"Name":"h","DockerRootDir":"/var/lib/docker","Driver":"overlay2","Containers":1,"LoggingDriver":"json-file",
         "SecurityOptions":["name=seccomp,profile=default"],
         "RegistryConfig":{"InsecureRegistryCIDRs":["127.0.0.0/8","10.0.0.0/8"],"IndexConfigs":{"reg.local:5000":{"Secure":false}}}}
        """);

    private static readonly JsonElement Version = Parse("""{"Version":"28.0.0","ApiVersion":"1.48","Experimental":false}""");

    private static readonly JsonElement RiskyContainer = Parse("""
        {"Id":"abc","Name":"/risky","Image":"sha256:1","Config":{"User":""},"AppArmorProfile":"",
         "HostConfig":{"Privileged":true,"CapAdd":["SYS_ADMIN","NET_RAW"],"NetworkMode":"host","PidMode":"host","IpcMode":"","UTSMode":"",
           "UsernsMode":"host","Memory":0,"CpuShares":0,"NanoCpus":0,"ReadonlyRootfs":false,"SecurityOpt":["seccomp=unconfined"],
           "PidsLimit":null,"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":10},
           "PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"80"}]},"Devices":[{"PathOnHost":"/dev/fuse"}]},
         "Mounts":[{"Type":"bind","Source":"/etc","Destination":"/host-etc","RW":true,"Propagation":"rshared"},
                   {"Type":"bind","Source":"/var/run/docker.sock","Destination":"/var/run/docker.sock","RW":true,"Propagation":"rprivate"}]}
        """);

    private static readonly JsonElement HardenedContainer = Parse("""
        {"Id":"def","Name":"/safe","Image":"sha256:2","Config":{"User":"1000:1000"},"AppArmorProfile":"",
         "State":{"Health":{"Status":"healthy"}},
         "HostConfig":{"Privileged":false,"CapAdd":null,"NetworkMode":"none","Memory":67108864,"NanoCpus":500000000,"ReadonlyRootfs":true,
           "SecurityOpt":["no-new-privileges","seccomp=bulwark-default"],"PidsLimit":1024,"Ulimits":[{"Name":"nofile","Soft":1024,"Hard":1024}],
           "RestartPolicy":{"Name":"no","MaximumRetryCount":0}},
         "Mounts":[]}
        """);

    private static BenchFinding One(BenchReport report, string id, string? target = null) =>
        Assert.Single(report.Findings, f => f.Control.Id == id && (target is null || f.Target == target));

    [Fact]
    public void Evaluate_RiskyContainer_WarnsOnEachRiskySetting()
    {
        var report = BenchRunner.Evaluate("unix:///x", new BenchInputs(DockerInfo, Version, [RiskyContainer], [], null, null, [], [new("/", "8:1")]));

        foreach (var id in new[] { "4.1", "5.4", "5.5", "5.6", "5.8", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15", "5.16", "5.20", "5.22", "5.26", "5.27", "5.29", "5.31", "5.32" })
        {
            Assert.True(One(report, id, "risky").Result == BenchResult.Warn, $"{id}: {One(report, id, "risky").Evidence}");
        }

        Assert.Contains("SYS_ADMIN", One(report, "5.4").Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("NET_RAW", One(report, "5.4").Evidence, StringComparison.Ordinal);
        Assert.Equal(BenchResult.Info, One(report, "5.18").Result);
        Assert.Equal(BenchResult.Warn, One(report, "2.5").Result);
        Assert.Contains("10.0.0.0/8", One(report, "2.5").Evidence, StringComparison.Ordinal);
        Assert.Contains("reg.local:5000", One(report, "2.5").Evidence, StringComparison.Ordinal);
        Assert.Equal(BenchResult.Warn, One(report, "2.9").Result);
        Assert.Equal(BenchResult.Warn, One(report, "2.14").Result);
        Assert.Equal(BenchResult.Warn, One(report, "2.13").Result);
        Assert.Equal(BenchResult.Warn, One(report, "1.1.1").Result);
    }

    [Fact]
    public void Evaluate_HardenedContainer_PassesRuntimeChecks()
    {
        var report = BenchRunner.Evaluate("unix:///x", new BenchInputs(HardenedInfo, Version, [HardenedContainer], [], null, null, [], [new("/", "8:1"), new("/var/lib/bulwark", "8:2")]));

        foreach (var id in new[] { "4.1", "5.4", "5.5", "5.6", "5.8", "5.10", "5.11", "5.12", "5.13", "5.15", "5.16", "5.17", "5.20", "5.21", "5.22", "5.26", "5.27", "5.29", "5.31", "5.32" })
        {
            Assert.True(One(report, id, "safe").Result == BenchResult.Pass, $"{id}: {One(report, id, "safe").Evidence}");
        }

        Assert.Equal(BenchResult.Pass, One(report, "2.9").Result);
        Assert.Equal(BenchResult.Pass, One(report, "2.14").Result);
        Assert.Equal(BenchResult.Pass, One(report, "2.17").Result);
        Assert.Equal(BenchResult.Pass, One(report, "1.1.1").Result);
        Assert.Equal(BenchResult.Info, One(report, "2.2").Result); // no daemon process visible
    }

    [Fact]
    public void Evaluate_DataRootBoundOntoItself_NotASeparatePartition()
    {
        var report = BenchRunner.Evaluate("x", new BenchInputs(HardenedInfo, Version, [], [], null, null, [], [new("/", "8:1"), new("/var/lib/bulwark", "8:1")]));

        Assert.Equal(BenchResult.Warn, One(report, "1.1.1").Result);
        Assert.Contains("the same as /", One(report, "1.1.1").Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_DaemonFlagsAndConfig_FlagWinsOverFile()
    {
        var config = Parse("""{"icc": true, "log-level": "debug", "hosts": ["tcp://0.0.0.0:2375"], "userland-proxy": false}""");
        var daemon = new DaemonProcess(1, "/usr/sbin/dockerd", ["--icc=false", "-H", "unix:///run/d.sock"], "/etc/docker/daemon.json", config);

        var report = BenchRunner.Evaluate("unix:///x", new BenchInputs(DockerInfo, Version, [], [], daemon, null, [], [new("/", "8:1")]));

        Assert.Equal(BenchResult.Pass, One(report, "2.2").Result);
        Assert.Equal(BenchResult.Warn, One(report, "2.3").Result);
        Assert.Equal(BenchResult.Warn, One(report, "2.7").Result);
        Assert.Contains("tcp://0.0.0.0:2375", One(report, "2.7").Evidence, StringComparison.Ordinal);
        Assert.Equal(BenchResult.Pass, One(report, "2.16").Result);
    }

    [Theory]
    [InlineData("[]", null, BenchResult.Info)]                              // bulwarkd's default: its own forwarders
    [InlineData("[\"--userland-proxy=false\"]", null, BenchResult.Pass)]
    [InlineData("[]", "{\"userland-proxy\": false}", BenchResult.Pass)]
    public void Evaluate_Bulwarkd_UserlandProxyFalse_Passes_TheDefaultIsInfo(string args, string? configJson, BenchResult expected)
    {
        var daemon = new DaemonProcess(1, "/usr/local/bin/bulwarkd", System.Text.Json.JsonSerializer.Deserialize<string[]>(args)!, configJson is null ? null : "/etc/bulwark/daemon.json",
            configJson is null ? null : Parse(configJson));
        var report = BenchRunner.Evaluate("unix:///x", new BenchInputs(DockerInfo, Version, [], [], daemon, null, [], [new("/", "8:1")]));
        Assert.Equal(expected, One(report, "2.16").Result);
    }

    [Theory]
    [InlineData(0u, 0u, 0x1B0u, BenchResult.Pass)] // 0660
    [InlineData(0u, 0u, 0x1B6u, BenchResult.Warn)] // 0666
    [InlineData(0u, 0u, 0x1F8u, BenchResult.Warn)] // 0770
    [InlineData(0u, 0u, 0x180u, BenchResult.Pass)] // 0600
    public void Evaluate_SocketMode_ComparesPermissionBits(uint uid, uint gid, uint mode, BenchResult expected)
    {
        var socket = new FileFacts("/run/x.sock", uid, gid, mode, "bulwark", ["alice"]);

        var report = BenchRunner.Evaluate("unix:///x", new BenchInputs(HardenedInfo, Version, [], [], null, socket, [], [new("/", "8:1")]));

        Assert.Equal(expected, One(report, "3.16").Result);
        Assert.Equal(BenchResult.Pass, One(report, "3.15").Result);
        Assert.Contains("bulwark: alice", One(report, "1.1.2").Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Sarif_Report_Version210WithRulesAndResults()
    {
        var report = BenchRunner.Evaluate("unix:///x", new BenchInputs(DockerInfo, Version, [RiskyContainer], [], null, null, [], [new("/", "8:1")]));
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            BenchWriters.Sarif(w, report);
        }

        using var doc = JsonDocument.Parse(buffer.ToArray());
        var run = doc.RootElement.GetProperty("runs")[0];
        Assert.Equal("2.1.0", doc.RootElement.GetProperty("version").GetString());
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(report.Findings.Count, results.Count);
        var privileged = results.Single(r => r.GetProperty("ruleId").GetString() == "5.5");
        Assert.Equal("warning", privileged.GetProperty("level").GetString());
        Assert.Equal("fail", privileged.GetProperty("kind").GetString());
        Assert.Equal("5.5", rules[privileged.GetProperty("ruleIndex").GetInt32()]);
        Assert.Equal("risky", privileged.GetProperty("locations")[0].GetProperty("logicalLocations")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Findings_InControlOrder()
    {
        var ids = BenchRunner.Evaluate("x", new BenchInputs(HardenedInfo, Version, [], [], null, null, [], [new("/", "8:1")])).Findings.Select(f => f.Control.Id).ToList();

        Assert.True(ids.IndexOf("2.9") < ids.IndexOf("2.10"), string.Join(' ', ids));
        Assert.True(ids.IndexOf("1.2.2") < ids.IndexOf("2.1"), string.Join(' ', ids));
        Assert.True(ids.IndexOf("5.29") < ids.IndexOf("6.1"), string.Join(' ', ids));
    }
}
