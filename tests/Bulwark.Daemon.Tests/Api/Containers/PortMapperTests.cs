using Bulwark.Api.Models.Containers;
using Bulwark.Daemon.Api.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Ports;

namespace Bulwark.Daemon.Tests.Api.Containers;

public sealed class PortMapperTests
{
    [Fact]
    public void Map_DockerCliBody_BecomesBindingsExposedAndPublishAll()
    {
        var body = new ContainerCreateRequest
        {
            Image = "busybox",
            ExposedPorts = new() { ["80/tcp"] = default, ["9000/UDP"] = default },
            HostConfig = new HostConfig
            {
                PortBindings = new()
                {
                    ["80/tcp"] = [new PortBindingDto { HostIp = "127.0.0.1", HostPort = "" }, new PortBindingDto { HostPort = "8080" }],
                    ["53/udp"] = null,
                    ["443"] = [new PortBindingDto { HostIp = "[::1]", HostPort = "8443" }],
                },
                PublishAllPorts = true,
            },
        };
        var spec = PortMapper.Map(body, body.HostConfig);
        Assert.True(spec.PublishAll);
        Assert.Equal(["80/tcp", "9000/udp"], spec.Exposed);
        Assert.Equal(
            [
                new PortBindingSpec(80, "tcp", "127.0.0.1", 0),
                new PortBindingSpec(80, "tcp", "", 8080),
                new PortBindingSpec(53, "udp", "", 0),
                new PortBindingSpec(443, "tcp", "::1", 8443),
            ],
            spec.Bindings);
    }

    [Theory]
    [InlineData("80/tcp", "8010-8000", "", "the range ends before it starts")]
    [InlineData("80/tcp", "8000-", "", "not a port number")]
    [InlineData("80/tcp", "", "localhost", "\"localhost\" is not an IP address")]
    [InlineData("80/tcp", "99999", "", "not a port number")]
    [InlineData("80/sctp", "", "", "protocol \"sctp\" is not supported")]
    public void Map_Unsupported_Is400NamingTheField(string key, string hostPort, string hostIp, string message)
    {
        var hc = new HostConfig { PortBindings = new() { [key] = [new PortBindingDto { HostIp = hostIp, HostPort = hostPort }] } };
        var ex = Assert.Throws<EngineException>(() => PortMapper.Map(new ContainerCreateRequest { Image = "busybox", HostConfig = hc }, hc));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_HostPortRange_IsKeptAsARange_AndShownAsGiven()
    {
        var hc = new HostConfig { PortBindings = new() { ["80/tcp"] = [new PortBindingDto { HostPort = "8000-8010" }], ["81/tcp"] = [new PortBindingDto { HostPort = "9000-9000" }] } };
        var spec = PortMapper.Map(new ContainerCreateRequest { Image = "busybox", HostConfig = hc }, hc);
        Assert.Equal([new PortBindingSpec(80, "tcp", "", 8000, 8010), new PortBindingSpec(81, "tcp", "", 9000)], spec.Bindings);
        Assert.Equal("8000-8010", spec.Bindings[0].HostPortText);
        Assert.Equal("9000", spec.Bindings[1].HostPortText);
    }
}
