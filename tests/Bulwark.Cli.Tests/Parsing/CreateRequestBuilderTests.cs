using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Cli.Commands;
using Bulwark.Cli.Parsing;

namespace Bulwark.Cli.Tests.Parsing;

public sealed class CreateRequestBuilderTests
{
    // Body docker CLI 28.2.2 sent for the flags below (docker-api-captures/14-run-flags.txt).
    private const string DockerBody = """
        {"Hostname":"hh","Domainname":"","User":"1000:1000","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["FOO=bar","BAZ"],"Cmd":["-c","id; echo $FOO"],"Image":"busybox:local","Volumes":{},"WorkingDir":"/data","Entrypoint":["sh"],"OnBuild":null,"Labels":{"a":"b"},"HostConfig":{"Binds":["/srv/cap/vol:/data:ro","namedvol:/nv"],"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"none","PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":true,"VolumeDriver":"","VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":["CAP_NET_ADMIN"],"CapDrop":["ALL"],"CgroupnsMode":"","Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"","Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":true,"SecurityOpt":["no-new-privileges","seccomp=unconfined"],"Tmpfs":{"/tmp":"rw,size=10m"},"UTSMode":"","UsernsMode":"","ShmSize":0,"Isolation":"","CpuShares":0,"Memory":67108864,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,"BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],"BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"","CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,"MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":50,"Ulimits":[{"Name":"nofile","Hard":200,"Soft":100}],"CpuCount":0,"CpuPercent":0,"IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},"NetworkingConfig":{"EndpointsConfig":{}}}
        """;

    // Fields docker sends that our DTO does not model (all zero/empty in the capture).
    private static readonly HashSet<string> NotModelled =
    [
        "OnBuild", "DnsOptions", "DnsSearch", "BlkioWeight", "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps",
        "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "CpuRealtimePeriod", "CpuRealtimeRuntime",
        "DeviceRequests", "CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth",
    ];

    private static readonly string[] CapturedFlags =
    [
        "--rm", "--name", "capflags", "-e", "FOO=bar", "-e", "BAZ", "-v", "/srv/cap/vol:/data:ro", "-v", "namedvol:/nv",
        "--user", "1000:1000", "--read-only", "--tmpfs", "/tmp:rw,size=10m", "--cap-add", "NET_ADMIN", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined", "--memory", "64m", "--pids-limit", "50",
        "--network", "none", "-w", "/data", "--entrypoint", "sh", "-l", "a=b", "--hostname", "hh", "--ulimit", "nofile=100:200",
        "busybox:local", "-c", "id; echo $FOO",
    ];

    private static string Serialize(ContainerFlags flags) =>
        JsonSerializer.Serialize(CreateRequestBuilder.Build(flags, _ => null, File.ReadAllText),
            DockerJsonContext.Default.ContainerCreateRequest);

    [Fact]
    public void Build_CapturedDockerRunFlags_MatchesDockerCliBody()
    {
        var flags = RunCommand.ParseRunFlags(CapturedFlags);
        Assert.Equal("capflags", flags.Name);
        using var ours = JsonDocument.Parse(Serialize(flags));
        using var docker = JsonDocument.Parse(DockerBody);

        AssertSameFields(docker.RootElement, ours.RootElement, "");
    }

    [Fact]
    public void Build_VolumesFromAndDeviceCgroupRules_AreSentAsGiven()
    {
        var request = CreateRequestBuilder.Build(RunCommand.ParseRunFlags(
            ["--volumes-from", "c1:ro", "--volumes-from", "c2", "--device-cgroup-rule", "c 1:3 mr", "busybox"]), _ => null, File.ReadAllText);

        Assert.Equal(["c1:ro", "c2"], request.HostConfig!.VolumesFrom);
        Assert.Equal(["c 1:3 mr"], request.HostConfig.DeviceCgroupRules);
    }

    [Fact]
    public void Build_NoFlags_SendsDockerDefaults()
    {
        var request = CreateRequestBuilder.Build(RunCommand.ParseRunFlags(["busybox"]), _ => null, File.ReadAllText);

        Assert.Equal("default", request.HostConfig!.NetworkMode);
        Assert.Equal("no", request.HostConfig.RestartPolicy!.Name);
        Assert.Equal(-1, request.HostConfig.MemorySwappiness);
        Assert.Equal(0, request.HostConfig.PidsLimit);
        Assert.Null(request.Cmd);
        Assert.Null(request.Env);
        Assert.True(request.AttachStdout);
        Assert.False(request.AttachStdin);
        Assert.Null(request.HostConfig.Init);
    }

    [Fact]
    public void Build_ArgumentsAfterImage_BelongToTheCommandEvenIfTheyLookLikeFlags()
    {
        var flags = RunCommand.ParseRunFlags(["-it", "--rm", "busybox", "ls", "-la", "--rm", "-e", "X=1", "--", "@file"]);

        Assert.True(flags.Interactive);
        Assert.True(flags.Tty);
        Assert.True(flags.Remove);
        Assert.Empty(flags.Env);
        Assert.Equal("busybox", flags.Image);
        Assert.Equal(["ls", "-la", "--rm", "-e", "X=1", "--", "@file"], flags.Command);
    }

    [Fact]
    public void Build_BundledShortFlagWithValue_IsNotMistakenForImage()
    {
        var flags = RunCommand.ParseRunFlags(["-de", "A=1", "-u", "0", "alpine", "echo"]);

        Assert.True(flags.Detach);
        Assert.Equal(["A=1"], flags.Env);
        Assert.Equal("0", flags.User);
        Assert.Equal(["echo"], flags.Command);
    }

    [Fact]
    public void Build_ResourceAndSecurityFlags_MapLikeDocker()
    {
        var flags = RunCommand.ParseRunFlags(
        [
            "--cpus", "0.5", "--cpu-shares", "512", "--cpuset-cpus", "0-1", "--memory-swap", "-1", "--shm-size", "1g",
            "--oom-score-adj", "-500", "--pids-limit", "-1", "--cap-add", "sys_admin", "--cap-add", "cap_chown",
            "--init", "--log-opt", "max-size=10m", "--log-opt", "max-file=3", "--sysctl", "net.ipv4.ip_forward=1",
            "--device", "/dev/fuse", "--device", "/dev/sda:/dev/xvda:r", "--restart", "on-failure:3", "--pid", "host",
            "--ipc", "host", "--uts", "host", "--userns", "host", "--stop-signal", "SIGINT", "--stop-timeout", "5",
            "--privileged", "--security-opt", "systempaths=unconfined", "--tmpfs", "/run", "-v", "/anon", "busybox",
        ]);
        var r = CreateRequestBuilder.Build(flags, _ => null, File.ReadAllText);
        var h = r.HostConfig!;

        Assert.Equal(500_000_000, h.NanoCpus);
        Assert.Equal(512, h.CpuShares);
        Assert.Equal("0-1", h.CpusetCpus);
        Assert.Equal(-1, h.MemorySwap);
        Assert.Equal(1L << 30, h.ShmSize);
        Assert.Equal(-500, h.OomScoreAdj);
        Assert.Equal(-1, h.PidsLimit);
        Assert.Equal(["CAP_SYS_ADMIN", "CAP_CHOWN"], h.CapAdd!);
        Assert.True(h.Init);
        Assert.Equal("10m", h.LogConfig!.Config!["max-size"]);
        Assert.Equal("3", h.LogConfig.Config["max-file"]);
        Assert.Equal("1", h.Sysctls!["net.ipv4.ip_forward"]);
        Assert.Equal("/dev/fuse", h.Devices![0].PathInContainer);
        Assert.Equal("rwm", h.Devices[0].CgroupPermissions);
        Assert.Equal("/dev/xvda", h.Devices[1].PathInContainer);
        Assert.Equal("r", h.Devices[1].CgroupPermissions);
        Assert.Equal("on-failure", h.RestartPolicy!.Name);
        Assert.Equal(3, h.RestartPolicy.MaximumRetryCount);
        Assert.Equal(("host", "host", "host", "host"), (h.PidMode, h.IpcMode, h.UTSMode, h.UsernsMode));
        Assert.Equal("SIGINT", r.StopSignal);
        Assert.Equal(5, r.StopTimeout);
        Assert.True(h.Privileged);
        Assert.Empty(h.MaskedPaths!);
        Assert.Empty(h.ReadonlyPaths!);
        Assert.Null(h.SecurityOpt);
        Assert.Equal("", h.Tmpfs!["/run"]);
        Assert.True(r.Volumes!.ContainsKey("/anon"));
        Assert.Null(h.Binds);
    }

    [Fact]
    public void Build_SecretFlags_SendBulwarkSecretsAndNothingWithout()
    {
        var request = CreateRequestBuilder.Build(
            RunCommand.ParseRunFlags(["--secret", "db@1,target=pw,uid=1000,gid=100,mode=0400", "--secret", "api", "busybox"]), _ => null, File.ReadAllText);

        var secrets = request.HostConfig!.BulwarkSecrets!;
        Assert.Equal(2, secrets.Count);
        Assert.Equal(("db", 1L, "pw", "1000", "100", 0x100),
            (secrets[0].SecretName, secrets[0].Version!.Value, secrets[0].File!.Name, secrets[0].File!.UID, secrets[0].File!.GID, secrets[0].File!.Mode!.Value));
        Assert.Equal("api", secrets[1].SecretName);
        var plain = CreateRequestBuilder.Build(RunCommand.ParseRunFlags(["busybox"]), _ => null, File.ReadAllText);
        Assert.DoesNotContain("BulwarkSecrets", JsonSerializer.Serialize(plain, DockerJsonContext.Default.ContainerCreateRequest), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_InteractiveAttached_SetsStdinFlagsLikeDocker()
    {
        var r = CreateRequestBuilder.Build(RunCommand.ParseRunFlags(["-i", "busybox", "cat"]), _ => null, File.ReadAllText);

        Assert.True(r.AttachStdin && r.OpenStdin && r.StdinOnce && r.AttachStdout && r.AttachStderr);
    }

    [Fact]
    public void Build_Detached_AttachesNothing()
    {
        var r = CreateRequestBuilder.Build(RunCommand.ParseRunFlags(["-d", "-i", "busybox"]), _ => null, File.ReadAllText);

        Assert.False(r.AttachStdin || r.AttachStdout || r.AttachStderr || r.StdinOnce);
        Assert.True(r.OpenStdin);
    }

    [Fact]
    public void Build_EnvWithoutValue_TakesOurEnvironmentWhenSet()
    {
        var r = CreateRequestBuilder.Build(RunCommand.ParseRunFlags(["-e", "HOME", "-e", "UNSET_X", "busybox"]),
            name => name == "HOME" ? "/root" : null, File.ReadAllText);

        Assert.Equal(["HOME=/root", "UNSET_X"], r.Env!);
    }

    [Fact]
    public void Build_EnvFile_ComesBeforeEnvFlagsAndSkipsComments()
    {
        var dir = Directory.CreateTempSubdirectory("bulwark-cli-test");
        try
        {
            var file = Path.Combine(dir.FullName, "env");
            File.WriteAllText(file, "# comment\nA=1\n\nB=two words\r\n");
            var r = CreateRequestBuilder.Build(RunCommand.ParseRunFlags(["--env-file", file, "-e", "C=3", "busybox"]), _ => null, File.ReadAllText);

            Assert.Equal(["A=1", "B=two words", "C=3"], r.Env!);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("--memory", "64x")]
    [InlineData("--cpus", "abc")]
    [InlineData("--ulimit", "nofile")]
    [InlineData("--restart", "sometimes")]
    [InlineData("--log-opt", "novalue")]
    [InlineData("--secret", "db,mode=4755")]
    [InlineData("--secret", "db,owner=me")]
    public void Build_InvalidValue_Exit125NamingTheFlag(string flag, string value)
    {
        var ex = Assert.Throws<CliException>(() =>
            CreateRequestBuilder.Build(RunCommand.ParseRunFlags([flag, value, "busybox"]), _ => null, File.ReadAllText));

        Assert.Equal(125, ex.ExitCode);
        Assert.Contains(flag, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RestartWithRm_Conflicts()
    {
        var ex = Assert.Throws<CliException>(() =>
            CreateRequestBuilder.Build(RunCommand.ParseRunFlags(["--rm", "--restart", "always", "busybox"]), _ => null, File.ReadAllText));

        Assert.Equal(125, ex.ExitCode);
    }

    private static void AssertSameFields(JsonElement docker, JsonElement ours, string path)
    {
        foreach (var property in docker.EnumerateObject())
        {
            var name = path + property.Name;
            if (!ours.TryGetProperty(property.Name, out var mine))
            {
                Assert.True(NotModelled.Contains(property.Name) || property.Value.ValueKind == JsonValueKind.Null,
                    $"{name} is sent by docker but missing from ours");
                continue;
            }

            if (property.Name == "HostConfig")
            {
                AssertSameFields(property.Value, mine, "HostConfig.");
                continue;
            }

            Assert.True(JsonElement.DeepEquals(property.Value, mine),
                $"{name}: docker sent {property.Value.GetRawText()}, we send {mine.GetRawText()}");
        }

        foreach (var property in ours.EnumerateObject())
        {
            if (!docker.TryGetProperty(property.Name, out _))
            {
                Assert.True(property.Value.ValueKind == JsonValueKind.Null, $"{path}{property.Name} is sent by us but not by docker");
            }
        }
    }
}
