using Bulwark.Api.Models.Containers;
using Bulwark.Daemon.Api.Containers;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Tests.Api.Containers;

public sealed class ContainerCreateMapperTests
{
    private static ContainerCreateRequest Body(HostConfig? hc = null) => new() { Image = "busybox", Cmd = ["true"], HostConfig = hc };

    [Fact]
    public void Map_PidsLimitZeroFromTheDockerCli_MeansTheDaemonDefault()
    {
        var spec = ContainerCreateMapper.Map(Body(new HostConfig { PidsLimit = 0 }), null);
        Assert.Null(spec.Resources.PidsLimit);
        Assert.Equal(-1, ContainerCreateMapper.Map(Body(new HostConfig { PidsLimit = -1 }), null).Resources.PidsLimit);
    }

    [Fact]
    public void Map_NetworkDefaultOrAbsent_IsNone()
    {
        Assert.Equal("none", ContainerCreateMapper.Map(Body(), null).Network.Mode);
        Assert.Equal("none", ContainerCreateMapper.Map(Body(new HostConfig { NetworkMode = "default" }), null).Network.Mode);
    }

    [Fact]
    public void Map_NetworkDefaultOrAbsent_IsNotExplicit_WhileNoneAndNetworkDisabledAre()
    {
        Assert.False(ContainerCreateMapper.Map(Body(), null).Network.Explicit);
        Assert.False(ContainerCreateMapper.Map(Body(new HostConfig { NetworkMode = "default" }), null).Network.Explicit);
        Assert.False(ContainerCreateMapper.Map(Body(new HostConfig { NetworkMode = "" }), null).Network.Explicit);
        Assert.True(ContainerCreateMapper.Map(Body(new HostConfig { NetworkMode = "none" }), null).Network.Explicit);
        var disabled = Body(new HostConfig { NetworkMode = "default" });
        disabled.NetworkDisabled = true;
        Assert.True(ContainerCreateMapper.Map(disabled, null).Network.Explicit);
    }

    [Fact]
    public void Map_MemoryBelowSixMegabytes_IsRejectedLikeDocker()
    {
        var ex = Assert.Throws<EngineException>(() => ContainerCreateMapper.Map(Body(new HostConfig { Memory = 1024 }), null));
        Assert.Equal("Minimum memory limit allowed is 6MB", ex.Message);
    }

    [Theory]
    [InlineData("/host:/data:ro", "/host", "/data", true)]
    [InlineData("/host:/data", "/host", "/data", false)]
    [InlineData("/a:/b:rw,rslave", "/a", "/b", false)]
    public void ParseBind_ValidSpecs_AreParsed(string spec, string source, string dest, bool ro)
    {
        var b = ContainerCreateMapper.ParseBind(spec);
        Assert.Equal(source, b.Source);
        Assert.Equal(dest, b.Destination);
        Assert.Equal(ro, b.ReadOnly);
    }

    [Theory]
    [InlineData("namedvol:/data")] // a volume, not a bind: MountMapper takes it
    [InlineData("/a:relative")]
    [InlineData("/a:/b:bogus")]
    public void ParseBind_InvalidSpecs_NameTheSpec(string spec)
    {
        var ex = Assert.Throws<EngineException>(() => ContainerCreateMapper.ParseBind(spec));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(spec, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_UnsupportedOptions_AreRefusedNamingTheField()
    {
        var ex = Assert.Throws<EngineException>(() => ContainerCreateMapper.Map(Body(new HostConfig { Links = ["a:b"] }), null));
        Assert.Contains("--link needs a user network", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<EngineException>(() => ContainerCreateMapper.Map(Body(new HostConfig { LogConfig = new LogConfig { Type = "syslog" } }), null));
        Assert.Equal("logger: no log driver named 'syslog' is registered", ex.Message);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("local")]
    [InlineData("json-file")]
    public void Map_KnownLogDrivers_AreKept(string driver)
    {
        var spec = ContainerCreateMapper.Map(Body(new HostConfig { LogConfig = new LogConfig { Type = driver } }), null);
        Assert.Equal(driver, spec.Log.Driver);
        Assert.Equal(driver != "none", spec.Log.Stored);
    }

    [Fact]
    public void Map_LogDriverNone_RefusesRotationOptions()
    {
        var ex = Assert.Throws<EngineException>(() => ContainerCreateMapper.Map(Body(new HostConfig
        {
            LogConfig = new LogConfig { Type = "none", Config = new() { ["max-size"] = "10m" } },
        }), null));
        Assert.Equal("unknown log opt 'max-size' for none log driver", ex.Message);
    }

    [Fact]
    public void Map_DeviceCgroupRules_AreValidatedAndKept()
    {
        var spec = ContainerCreateMapper.Map(Body(new HostConfig { DeviceCgroupRules = ["c 1:3 mr", "a *:* m"] }), null);
        Assert.Equal(["c 1:3 mr", "a *:* m"], spec.Security.DeviceCgroupRules);
        var ex = Assert.Throws<EngineException>(() => ContainerCreateMapper.Map(Body(new HostConfig { DeviceCgroupRules = ["c 1:3 mrr"] }), null));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("invalid device cgroup format 'c 1:3 mrr'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_LogOptions_AreParsed()
    {
        var spec = ContainerCreateMapper.Map(Body(new HostConfig
        {
            LogConfig = new LogConfig { Type = "json-file", Config = new() { ["max-size"] = "10m", ["max-file"] = "3" } },
        }), null);
        Assert.Equal(10 * 1024 * 1024, spec.Log.MaxSizeBytes);
        Assert.Equal(3, spec.Log.MaxFile);
    }

    [Fact]
    public void Map_LinksOnAUserNetwork_GoToThePrimaryEndpoint_AndHostConfigKeepsThem()
    {
        var body = Body(new HostConfig { NetworkMode = "appnet", Links = ["db:database"] });
        body.NetworkingConfig = new Bulwark.Api.Models.Networks.NetworkingConfig
        {
            EndpointsConfig = new() { ["appnet"] = new Bulwark.Api.Models.Networks.EndpointConfig { Links = ["db:database"], MacAddress = "02:42:00:00:00:09" } },
        };
        var spec = ContainerCreateMapper.Map(body, null);
        Assert.Equal(["db:database"], spec.Network.Links);
        Assert.Equal(["db:database"], spec.Network.Endpoints["appnet"].Links);
        Assert.Equal("02:42:00:00:00:09", spec.Network.Endpoints["appnet"].MacAddress);
    }

    [Fact]
    public void Map_MacAddressWithoutAUserNetwork_IsDockersConflictingOptionsError()
    {
        var body = Body();
        body.NetworkingConfig = new Bulwark.Api.Models.Networks.NetworkingConfig
        {
            EndpointsConfig = new() { ["default"] = new Bulwark.Api.Models.Networks.EndpointConfig { MacAddress = "02:42:00:00:00:09" } },
        };
        var ex = Assert.Throws<EngineException>(() => ContainerCreateMapper.Map(body, null));
        Assert.StartsWith("conflicting options: mac-address and the network mode", ex.Message, StringComparison.Ordinal);
    }
}
