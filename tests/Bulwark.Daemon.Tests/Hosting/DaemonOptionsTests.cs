using Bulwark.Daemon.Hosting;

namespace Bulwark.Daemon.Tests.Hosting;

public sealed class DaemonOptionsTests
{
    [Fact]
    public void PlainTcpHost_IsRefused_WithTheFlagsToAdd()
    {
        var ex = Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["-H", "tcp://127.0.0.1:2375"]));
        Assert.Contains("without mutual TLS", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--tlsverify", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsVerifyWithoutFiles_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["--tlsverify", "-H", "tcp://127.0.0.1:2376"]));
        Assert.Contains("--tlscacert", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RepeatedHosts_AreAllKept_UnixSocketFirstIsTheSocketPath()
    {
        string ca = Path.GetTempFileName();
        try
        {
            var o = DaemonOptions.Parse(["--tlsverify", "--tlscacert", ca, "--tlscert", ca, "--tlskey", ca,
                "-H", "tcp://127.0.0.1:2376", "-H", "unix:///run/x/b.sock", "--host=tcp://[::1]"]);
            Assert.Equal(3, o.Hosts.Count);
            Assert.Equal("/run/x/b.sock", o.SocketPath);
            Assert.Equal(new ApiHost("tcp", "::1", 2376), o.Hosts[2]);
            Assert.True(o.Tls.Verify);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Theory]
    [InlineData("ssh://host")]
    [InlineData("tcp://127.0.0.1:99999")]
    [InlineData("unix://relative.sock")]
    public void BadHost_IsRefused(string host) => Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["-H", host]));

    [Fact]
    public void ApiLimits_AreReadFromDaemonJson()
    {
        string config = Path.GetTempFileName();
        try
        {
            File.WriteAllText(config, """{ "api-limits": { "head-timeout": "500ms", "idle-timeout": "2m", "max-head-bytes": 4096, "max-connections": 8 } }""");
            var o = DaemonOptions.Parse(["--config", config]);
            Assert.Equal(TimeSpan.FromMilliseconds(500), o.Limits.HeadTimeout);
            Assert.Equal(TimeSpan.FromMinutes(2), o.Limits.IdleTimeout);
            Assert.Equal(4096, o.Limits.MaxHeadBytes);
            Assert.Equal(8, o.Limits.MaxConnections);
            File.WriteAllText(config, """{ "api-limits": { "head-timeout": "soon" } }""");
            Assert.Contains("head-timeout", Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["--config", config])).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public void Ip_IsTheDefaultPublishAddress_AndMustBeAnAddress()
    {
        Assert.Equal(System.Net.IPAddress.Loopback, DaemonOptions.Parse([]).DefaultPublishAddress);
        string config = Path.GetTempFileName();
        try
        {
            File.WriteAllText(config, """{ "ip": "0.0.0.0" }""");
            Assert.Equal(System.Net.IPAddress.Any, DaemonOptions.Parse(["--config", config]).DefaultPublishAddress);
            File.WriteAllText(config, """{ "ip": "everywhere" }""");
            Assert.Contains("\"ip\" must be an IP address", Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["--config", config])).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public void UserlandProxy_IsOnByDefault_AndTurnsOffFromDaemonJsonOrTheFlag_FlagWinning()
    {
        Assert.True(DaemonOptions.Parse([]).UserlandProxy);
        Assert.False(DaemonOptions.Parse(["--userland-proxy=false"]).UserlandProxy);
        string config = Path.GetTempFileName();
        try
        {
            File.WriteAllText(config, """{ "userland-proxy": false }""");
            Assert.False(DaemonOptions.Parse(["--config", config]).UserlandProxy);
            Assert.True(DaemonOptions.Parse(["--config", config, "--userland-proxy=true"]).UserlandProxy);
            File.WriteAllText(config, """{ "userland-proxy": "no" }""");
            Assert.Contains("userland-proxy", Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["--config", config])).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
        Assert.Contains("invalid value \"maybe\" for --userland-proxy", Assert.Throws<ArgumentException>(() => DaemonOptions.Parse(["--userland-proxy=maybe"])).Message, StringComparison.Ordinal);
    }
}
