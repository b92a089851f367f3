using System.Net;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Ports;

namespace Bulwark.Engine.Tests.Ports;

public sealed class PortPlanTests
{
    [Fact]
    public void Resolve_FillsTheDefaultHostAddress_AndPublishAllAddsUnboundExposedPortsOnKernelChosenPorts()
    {
        var spec = new PortSpec
        {
            Bindings = [new PortBindingSpec(80, "tcp", "", 8080), new PortBindingSpec(53, "udp", "127.0.0.5", 0)],
            PublishAll = true,
        };
        var plan = PortPlan.Resolve(spec, ["80/tcp", "443/tcp", "53/udp"], IPAddress.Parse("127.0.0.2"));
        Assert.Equal(
            [
                new PortBindingSpec(80, "tcp", "127.0.0.2", 8080),
                new PortBindingSpec(53, "udp", "127.0.0.5", 0),
                new PortBindingSpec(443, "tcp", "127.0.0.2", 0),
            ],
            plan);
    }

    [Fact]
    public void Resolve_WithoutPublishAll_OpensOnlyTheExplicitBindings()
    {
        var plan = PortPlan.Resolve(new PortSpec { Exposed = ["443/tcp"] }, ["443/tcp"], IPAddress.Loopback);
        Assert.Empty(plan);
    }

    [Fact]
    public void Exposed_UnitesImageExposeExposeFlagAndPublishedPorts_Normalised()
    {
        var spec = new PortSpec { Bindings = [new PortBindingSpec(80, "tcp", "", 0)], Exposed = ["9000/udp"] };
        Assert.Equal(["80/tcp", "5432/tcp", "9000/udp"], PortPlan.Exposed(spec, ["80", "5432/TCP"]));
    }

    [Theory]
    [InlineData("80/sctp", "protocol \"sctp\" is not supported")]
    [InlineData("0/tcp", "not a port number")]
    [InlineData("70000", "not a port number")]
    [InlineData("http", "not a port number")]
    public void PortKey_RefusesWhatItCannotPublish(string key, string message)
    {
        var ex = Assert.Throws<EngineException>(() => PortKey.Parse(key));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
