using Bulwark.Native;

namespace Bulwark.Engine.Security.UserNamespaces;

/// <summary>
/// Lets a remapped container root reach its rootfs: runc sets up the mounts as that (unprivileged) host id, so the
/// path to the bundle must be traversable by it. The data root and containers/ become 0711 (traverse, no listing);
/// the container's own directory is root:&lt;mapped gid&gt; 0710 and its upper layer belongs to the mapped root.
/// </summary>
public static class RootfsAccess
{
    private const UnixFileMode Traverse =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static void Grant(string dataRoot, string containerDir, IdMapping map)
    {
        File.SetUnixFileMode(dataRoot, Traverse);
        string containers = Path.GetDirectoryName(containerDir.TrimEnd('/'))!;
        File.SetUnixFileMode(containers, Traverse);
        Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, containerDir, 0, map.HostGid, Interop.AtSymlinkNoFollow), "lchown", containerDir);
        File.SetUnixFileMode(containerDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
        string upper = Path.Combine(containerDir, "upper");
        if (Directory.Exists(upper))
        {
            Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, upper, map.HostUid, map.HostGid, Interop.AtSymlinkNoFollow), "lchown", upper);
        }

        string rootfs = Path.Combine(containerDir, "rootfs");
        if (Directory.Exists(rootfs))
        {
            // copy driver: the rootfs directory itself is the container's "/".
            Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, rootfs, map.HostUid, map.HostGid, Interop.AtSymlinkNoFollow), "lchown", rootfs);
        }
    }
}
