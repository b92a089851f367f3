using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Security;
using Bulwark.Engine.Security.Policy;

namespace Bulwark.Engine.Tests.Security.Policy;

public sealed class DaemonPolicyReaderTests
{
    private static DaemonPolicy Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return DaemonPolicyReader.Read(doc.RootElement);
    }

    [Fact]
    public void Read_Empty_SafeDefaults()
    {
        var p = Read("{}");

        Assert.False(p.AllowPrivileged);
        Assert.False(p.AllowHostNamespaces);
        Assert.False(p.SeccompUnconfinedAllowed);
        Assert.Null(p.CapabilitiesAllowed);
        Assert.Empty(p.AllowedDevices);
        Assert.Contains("/etc", p.ForbiddenBindSources);
    }

    [Fact]
    public void Read_AllKeys_Bound()
    {
        var p = Read("""
            {"allow-privileged": true, "allow-host-namespaces": true, "capabilities-allowed": ["chown", "CAP_SYS_ADMIN"],
             "require-non-root-user": true, "require-read-only-rootfs": true, "require-memory-limit": true,
             "seccomp-unconfined-allowed": true, "forbidden-bind-sources": ["/srv"], "allowed-devices": ["/dev/fuse"]}
            """);

        Assert.True(p.AllowPrivileged && p.AllowHostNamespaces && p.RequireNonRootUser && p.RequireReadOnlyRootfs && p.RequireMemoryLimit && p.SeccompUnconfinedAllowed);
        Assert.Equal(["CAP_CHOWN", "CAP_SYS_ADMIN"], p.CapabilitiesAllowed);
        Assert.Equal(["/srv"], p.ForbiddenBindSources);
        Assert.Equal(["/dev/fuse"], p.AllowedDevices);
    }

    [Theory]
    [InlineData("""{"allow-everything": true}""", "allow-everything")]
    [InlineData("""{"allow-privileged": "yes"}""", "allow-privileged")]
    [InlineData("""{"capabilities-allowed": ["CAP_BOGUS"]}""", "CAP_BOGUS")]
    [InlineData("""{"allowed-devices": ["dev/fuse"]}""", "dev/fuse")]
    public void Read_Invalid_InvalidArgumentNamingTheKey(string json, string named)
    {
        var ex = Assert.Throws<EngineException>(() => Read(json));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EffectiveCapabilitiesAllowed_Default_BoundingMinusDangerous()
    {
        var host = new HostSecurity(CapabilityNames.All, new HashSet<string>());

        var allowed = new DaemonPolicy().EffectiveCapabilitiesAllowed(host);

        Assert.Contains("CAP_NET_RAW", allowed);
        Assert.DoesNotContain("CAP_SYS_ADMIN", allowed);
        Assert.DoesNotContain("CAP_DAC_READ_SEARCH", allowed);
    }
}
