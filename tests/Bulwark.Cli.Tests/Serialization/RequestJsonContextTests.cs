using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Cli.Commands;
using Bulwark.Cli.Parsing;
using Bulwark.Client.Serialization;

namespace Bulwark.Cli.Tests.Serialization;

/// <summary>The CLI's serialize-only context must write the same create body as the shared metadata context.</summary>
public sealed class RequestJsonContextTests
{
    public static TheoryData<string[]> FlagSets() => new()
    {
        new[] { "busybox" },
        new[]
        {
            "--rm", "--name", "capflags", "-e", "FOO=bar", "-e", "BAZ", "-v", "/srv/cap/vol:/data:ro", "-v", "namedvol:/nv",
            "--user", "1000:1000", "--read-only", "--tmpfs", "/tmp:rw,size=10m", "--cap-add", "NET_ADMIN", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined", "--memory", "64m", "--pids-limit", "50",
            "--network", "none", "-w", "/data", "--entrypoint", "sh", "-l", "a=b", "--hostname", "hh", "--ulimit", "nofile=100:200",
            "busybox:local", "-c", "id; echo $FOO",
        },
        new[]
        {
            "-d", "-p", "127.0.0.1:8080:80/tcp", "-p", "53/udp", "--expose", "9000", "--network", "front", "--network-alias", "web",
            "--ip", "10.1.0.5", "--mac-address", "02:42:ac:11:00:02", "--add-host", "db:10.0.0.2", "--health-cmd", "true",
            "--health-interval", "5s", "--health-retries", "3", "--restart", "on-failure:2", "--init", "--stop-signal", "SIGINT",
            "--stop-timeout", "7", "--cpus", "1.5", "--memory-swap", "128m", "--shm-size", "32m", "--device", "/dev/fuse",
            "--device-cgroup-rule", "c 1:3 mr", "--sysctl", "net.ipv4.ip_forward=1", "--log-driver", "json-file",
            "--log-opt", "max-size=1m", "--mount", "type=volume,source=data,target=/data", "--link", "db:database",
            "--volumes-from", "c1:ro", "-t", "-i", "busybox", "sh",
        },
    };

    [Theory]
    [MemberData(nameof(FlagSets))]
    public void ContainerCreateRequest_SerializeOnlyContext_WritesTheSameBytesAsTheSharedContext(string[] args)
    {
        var request = CreateRequestBuilder.Build(RunCommand.ParseRunFlags(args), _ => null, File.ReadAllText);

        byte[] shared = JsonSerializer.SerializeToUtf8Bytes(request, DockerJsonContext.Default.ContainerCreateRequest);
        byte[] fast = JsonSerializer.SerializeToUtf8Bytes(request, RequestJsonContext.Default.ContainerCreateRequest);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(shared), System.Text.Encoding.UTF8.GetString(fast));
        Assert.True(shared.Length > 100, "the request was serialized");
    }
}
