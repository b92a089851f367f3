using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Access;

/// <summary><c>bulwark system dial-stdio</c> relays a raw HTTP exchange between stdio and the daemon's socket.</summary>
[Collection(DaemonCollection.Name)]
public sealed class DialStdioTests(SharedDaemonFixture fx)
{
    [Fact]
    public async Task DialStdio_RelaysARequestAndItsAnswer_ThenEndsWhenTheDaemonCloses()
    {
        var r = await fx.Daemon.CliWithInputAsync("GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "system", "dial-stdio");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("HTTP/1.1 200 OK", r.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("OK", r.Stdout, StringComparison.Ordinal);
    }
}
