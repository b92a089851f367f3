using System.Globalization;
using System.Text.Json.Serialization;
using Bulwark.Engine.Runtime.Oci;

namespace Bulwark.Engine.Security.UserNamespaces;

/// <summary>The user-namespace mapping every remapped container gets: container 0..Size-1 → host Start..Start+Size-1.</summary>
public sealed record IdMapping(string User, uint HostUid, uint HostGid, uint Size)
{
    public const uint DefaultSize = 65536;

    [JsonIgnore]
    public IReadOnlyList<OciIdMapping> UidMappings => [new() { ContainerId = 0, HostId = HostUid, Size = Size }];

    [JsonIgnore]
    public IReadOnlyList<OciIdMapping> GidMappings => [new() { ContainerId = 0, HostId = HostGid, Size = Size }];

    /// <summary>The host uid of a container uid (unmapped ids are returned unchanged).</summary>
    public uint ToHostUid(uint containerUid) => containerUid < Size ? HostUid + containerUid : containerUid;

    public uint ToHostGid(uint containerGid) => containerGid < Size ? HostGid + containerGid : containerGid;

    /// <summary>The container uid of a host uid in the range (others are returned unchanged).</summary>
    public uint ToContainerUid(uint hostUid) => hostUid >= HostUid && hostUid - HostUid < Size ? hostUid - HostUid : hostUid;

    public uint ToContainerGid(uint hostGid) => hostGid >= HostGid && hostGid - HostGid < Size ? hostGid - HostGid : hostGid;

    /// <summary>"0:100000:65536" (uid map; the gid map is shown when it differs).</summary>
    public string Describe() => HostUid == HostGid
        ? string.Create(CultureInfo.InvariantCulture, $"0:{HostUid}:{Size}")
        : string.Create(CultureInfo.InvariantCulture, $"uid 0:{HostUid}:{Size} gid 0:{HostGid}:{Size}");
}
