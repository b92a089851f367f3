using System.Text.Json;
using Bulwark.Api.Models;
using Bulwark.Daemon.Api.Containers;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Volumes;

namespace Bulwark.Daemon.Tests.Api.Containers;

public sealed class MountMapperTests
{
    private static StorageSpec Map(string createJson)
    {
        var body = JsonSerializer.Deserialize(createJson, DockerJsonContext.Default.ContainerCreateRequest)!;
        return ContainerCreateMapper.Map(body, null).Storage;
    }

    private static EngineException Refused(string createJson) => Assert.Throws<EngineException>(() => Map(createJson));

    [Theory]
    [InlineData("vol:/data", "vol", "/data", false, false, "")]
    [InlineData("vol:/data:ro", "vol", "/data", true, false, "ro")]
    [InlineData("vol:/data:rw,nocopy", "vol", "/data", false, true, "rw,nocopy")]
    [InlineData("vol:/a//b/../c/", "vol", "/a/c", false, false, "")]
    public void Binds_ASourceWithoutSlash_IsAVolume(string spec, string name, string dest, bool ro, bool nocopy, string mode)
    {
        var v = Assert.IsType<VolumeMountSpec>(MountMapper.ParseBindOrVolume(spec));
        Assert.Equal((name, dest, ro, nocopy, mode), (v.Name, v.Destination, v.ReadOnly, v.NoCopy, v.Mode));
    }

    [Fact]
    public void Binds_PathAlone_IsAnAnonymousVolume_AbsoluteSource_IsABind()
    {
        var anon = Assert.IsType<VolumeMountSpec>(MountMapper.ParseBindOrVolume("/cache"));
        Assert.Null(anon.Name);
        var bind = Assert.IsType<BindMount>(MountMapper.ParseBindOrVolume("/host:/ctr:ro,rslave"));
        Assert.Equal(("/host", "/ctr", true, "rslave"), (bind.Source, bind.Destination, bind.ReadOnly, bind.Propagation));
    }

    [Theory]
    [InlineData("../x:/x", "includes invalid characters")]
    [InlineData("a:/x", "includes invalid characters")]
    [InlineData("vol:/x:rslave", "propagation (rslave) applies to bind mounts")]
    [InlineData("/h:/x:nocopy", "nocopy applies to volumes")]
    [InlineData("vol:/x:ro,rw", "invalid mode")]
    [InlineData("vol:/x:bogus", "invalid mode: bogus")]
    [InlineData("vol:/x:Z", "SELinux")]
    [InlineData("vol:relative", "mount path must be absolute")]
    [InlineData("vol:/", "destination can't be '/'")]
    [InlineData("/foo:rw", "invalid volume specification")]
    [InlineData("a:b:c:d", "invalid volume specification")]
    [InlineData("vol::/x", "invalid volume specification")]
    public void Binds_Invalid_AreRefusedNamingTheProblem(string spec, string expected)
    {
        var ex = Assert.Throws<EngineException>(() => MountMapper.ParseBindOrVolume(spec));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mounts_VolumeBindTmpfs_MapToTheEngineSpec()
    {
        var s = Map("""
            {"Image":"i","HostConfig":{"Mounts":[
              {"Type":"volume","Source":"v1","Target":"/v","ReadOnly":true,"VolumeOptions":{"NoCopy":true,"Labels":{"a":"b"},"DriverConfig":{"Name":"local"}}},
              {"Type":"volume","Target":"/anon"},
              {"Type":"bind","Source":"/h","Target":"/b","BindOptions":{"Propagation":"rshared"},"Consistency":"cached"},
              {"Type":"tmpfs","Target":"/t","ReadOnly":true,"TmpfsOptions":{"SizeBytes":1048576,"Mode":1023}}]}}
            """);
        Assert.Equal(2, s.Volumes.Count);
        var v = s.Volumes[0];
        Assert.Equal(("v1", "/v", true, true, "b"), (v.Name, v.Destination, v.ReadOnly, v.NoCopy, v.Labels!["a"]));
        Assert.Null(s.Volumes[1].Name);
        Assert.Equal(new BindMount("/h", "/b", false, "rshared"), Assert.Single(s.Binds));
        Assert.Equal("ro,mode=1777,size=1048576", s.Tmpfs["/t"]);
    }

    [Theory]
    [InlineData("""{"Type":"volume","Target":"/x","Bogus":1}""", "unknown field(s) Bogus")]
    [InlineData("""{"Type":"volume","Target":"/x","VolumeOptions":{"Sneaky":true}}""", "VolumeOptions: unknown field(s) Sneaky")]
    [InlineData("""{"Type":"volume","Target":"/x","VolumeOptions":{"Subpath":"a"}}""", "volume-subpath is not supported")]
    [InlineData("""{"Type":"volume","Target":"/x","VolumeOptions":{"DriverConfig":{"Name":"nfs"}}}""", "volume driver \"nfs\" is not supported")]
    [InlineData("""{"Type":"volume","Target":"/x","VolumeOptions":{"DriverConfig":{"Options":{"type":"tmpfs"}}}}""", "option(s) type not supported")]
    [InlineData("""{"Type":"volume","Source":"../etc","Target":"/x"}""", "includes invalid characters")]
    [InlineData("""{"Type":"volume","Target":"/x","BindOptions":{}}""", "BindOptions must not be specified on mount type \"volume\"")]
    [InlineData("""{"Type":"bind","Target":"/x"}""", "Source must not be empty")]
    [InlineData("""{"Type":"bind","Source":"rel","Target":"/x"}""", "bind source path must be absolute")]
    [InlineData("""{"Type":"bind","Source":"/h","Target":"/x","BindOptions":{"NonRecursive":true}}""", "bind-nonrecursive is not supported")]
    [InlineData("""{"Type":"bind","Source":"/h","Target":"/x","BindOptions":{"Propagation":"weird"}}""", "invalid propagation mode")]
    [InlineData("""{"Type":"tmpfs","Source":"x","Target":"/x"}""", "Source must not be specified")]
    [InlineData("""{"Type":"tmpfs","Target":"/x","TmpfsOptions":{"Options":[["noexec"]]}}""", "tmpfs-option) is not supported")]
    [InlineData("""{"Type":"npipe","Source":"a","Target":"/x"}""", "mount type \"npipe\" is not supported")]
    [InlineData("""{"Type":"image","Source":"a","Target":"/x"}""", "mount type \"image\" is not supported")]
    [InlineData("""{"Type":"volume","Target":"x"}""", "mount path must be absolute")]
    [InlineData("""{"Type":"volume","Target":"/"}""", "destination can't be '/'")]
    public void Mounts_Unsupported_AreRefusedByName(string mount, string expected)
    {
        var ex = Refused("""{"Image":"i","HostConfig":{"Mounts":[""" + mount + "]}}");
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigVolumes_AreAnonymous_UnlessABindOrVolumeCoversThem()
    {
        var s = Map("""{"Image":"i","Volumes":{"/cache":{},"/data":{},"/tmpd/":{}},"HostConfig":{"Binds":["named:/data"],"Tmpfs":{"/tmpd":""}}}""");
        Assert.Equal(["named", null], s.Volumes.Select(v => v.Name));
        Assert.Equal(["/data", "/cache"], s.Volumes.Select(v => v.Destination));
    }

    [Fact]
    public void DuplicateDestinations_AcrossBindsVolumesAndMounts_AreRefused()
    {
        var ex = Refused("""{"Image":"i","HostConfig":{"Binds":["v1:/d"],"Mounts":[{"Type":"volume","Source":"v2","Target":"/d/"}]}}""");
        Assert.Contains("Duplicate mount point: /d", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherVolumeDrivers_AreRefusedByName()
    {
        Assert.Contains("--volume-driver", Refused("""{"Image":"i","HostConfig":{"VolumeDriver":"nfs"}}""").Message, StringComparison.Ordinal);
        Assert.Empty(Map("""{"Image":"i","HostConfig":{"VolumeDriver":"local"}}""").Volumes);
    }
}
