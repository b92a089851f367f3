using Bulwark.Api.Models.Containers;
using Bulwark.Cli.Output;

namespace Bulwark.Cli.Tests.Output;

public sealed class PortsTextTests
{
    [Fact]
    public void Render_PublishedFirstThenExposed_AsDockerPsShowsThem()
    {
        PortDto[] ports =
        [
            new() { PrivatePort = 9000, Type = "udp" },
            new() { IP = "127.0.0.1", PrivatePort = 80, PublicPort = 49153, Type = "tcp" },
            new() { IP = "::1", PrivatePort = 80, PublicPort = 49154, Type = "tcp" },
        ];
        Assert.Equal("127.0.0.1:49153->80/tcp, [::1]:49154->80/tcp, 9000/udp", PortsText.Render(ports));
    }
}
