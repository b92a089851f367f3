using System.Globalization;

namespace Bulwark.Engine.Containers.Archive;

/// <summary>
/// A container's single-range id mapping (container 0..Size-1 = host Host..Host+Size-1) for archives: files
/// written into the rootfs get host ids, archives read out of it show container ids. Identity when not remapped.
/// </summary>
public sealed record ArchiveIdMap(uint HostUid, uint HostGid, uint Size)
{
    /// <summary>What an unmapped host id looks like inside a user namespace (the kernel's overflow id).</summary>
    public const int OverflowId = 65534;

    public static ArchiveIdMap Identity { get; } = new(0, 0, 0);

    public bool IsIdentity => Size == 0;

    /// <summary>From the effective profile's "0 100000 65536" uid/gid map lines; identity when empty.</summary>
    public static ArchiveIdMap FromProfile(EffectiveProfile profile)
    {
        var uid = Parse(profile.UidMap);
        var gid = Parse(profile.GidMap);
        if (uid is null || gid is null)
        {
            return Identity;
        }

        return new ArchiveIdMap(uid.Value.Host, gid.Value.Host, Math.Min(uid.Value.Size, gid.Value.Size));
    }

    public uint ToHostUid(int containerUid) => IsIdentity ? (uint)containerUid : (uint)containerUid < Size ? HostUid + (uint)containerUid : HostUid + OverflowId;

    public uint ToHostGid(int containerGid) => IsIdentity ? (uint)containerGid : (uint)containerGid < Size ? HostGid + (uint)containerGid : HostGid + OverflowId;

    public int ToContainerUid(uint hostUid) => IsIdentity ? (int)hostUid : hostUid >= HostUid && hostUid - HostUid < Size ? (int)(hostUid - HostUid) : OverflowId;

    public int ToContainerGid(uint hostGid) => IsIdentity ? (int)hostGid : hostGid >= HostGid && hostGid - HostGid < Size ? (int)(hostGid - HostGid) : OverflowId;

    private static (uint Host, uint Size)? Parse(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length == 3
            && uint.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint inside) && inside == 0
            && uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint host)
            && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint size) && size > 0)
        {
            return (host, size);
        }

        return null;
    }
}
