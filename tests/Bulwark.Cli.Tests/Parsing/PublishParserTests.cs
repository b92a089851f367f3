using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Cli.Commands;
using Bulwark.Cli.Parsing;

namespace Bulwark.Cli.Tests.Parsing;

public sealed class PublishParserTests
{
    [Fact]
    public void RunFlags_PublishPublishAllAndExpose_BecomeDockerCliPortFields()
    {
        var flags = RunCommand.ParseRunFlags(["-p", "127.0.0.1::80", "-p", "8080:80", "-p", "5353/udp", "-p", "[::1]:9000:9000", "-P", "--expose", "7000-7001", "busybox"]);
        var request = CreateRequestBuilder.Build(flags, _ => null, File.ReadAllText);
        string json = JsonSerializer.Serialize(request, DockerJsonContext.Default.ContainerCreateRequest);
        using var doc = JsonDocument.Parse(json);
        var hc = doc.RootElement.GetProperty("HostConfig");
        Assert.True(hc.GetProperty("PublishAllPorts").GetBoolean());
        Assert.Equal(
            """{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":""},{"HostIp":"","HostPort":"8080"}],"5353/udp":[{"HostIp":"","HostPort":""}],"9000/tcp":[{"HostIp":"::1","HostPort":"9000"}]}""",
            JsonSerializer.Serialize(request.HostConfig!.PortBindings, DockerJsonContext.Default.DictionaryStringListPortBindingDto));
        Assert.Equal(["80/tcp", "5353/udp", "9000/tcp", "7000/tcp", "7001/tcp"], request.ExposedPorts!.Keys);
    }

    [Theory]
    [InlineData("80/sctp", "protocol \"sctp\" is not supported")]
    [InlineData("example:80:80", "\"example\" is not an IP address")]
    [InlineData("8010-8000:80", "invalid range 8010-8000")]
    [InlineData("a:b:c:d", "expected [hostip:][hostport:]containerport[/protocol]")]
    [InlineData("0", "container port \"0\" is not a port number")]
    public void Publish_Invalid_IsExit125NamingTheFlag(string spec, string reason)
    {
        var ex = Assert.Throws<CliException>(() => PublishParser.Parse([spec], []));
        Assert.Equal(125, ex.ExitCode);
        Assert.Contains($"invalid argument \"{spec}\" for \"-p, --publish\" flag", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_Ranges_HostRangeForOnePort_AndPairwiseForEqualRanges()
    {
        var (bindings, exposed) = PublishParser.Parse(["8000-8010:80", "127.0.0.1:9000-9001:90-91/udp"], []);
        Assert.Equal(
            """{"80/tcp":[{"HostIp":"","HostPort":"8000-8010"}],"90/udp":[{"HostIp":"127.0.0.1","HostPort":"9000"}],"91/udp":[{"HostIp":"127.0.0.1","HostPort":"9001"}]}""",
            JsonSerializer.Serialize(bindings, DockerJsonContext.Default.DictionaryStringListPortBindingDto));
        Assert.Equal(["80/tcp", "90/udp", "91/udp"], exposed!.Keys);
    }

    [Theory]
    [InlineData("8000-8002:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8000-8002")]
    [InlineData("8000:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8000")]
    public void Publish_MismatchedRanges_IsDockersError(string spec, string message)
    {
        var ex = Assert.Throws<CliException>(() => PublishParser.Parse([spec], []));
        Assert.Equal(125, ex.ExitCode);
        Assert.Equal(message, ex.Message);
    }
}
