using Bulwark.Engine.Errors;
using Bulwark.Native;

namespace Bulwark.Engine.Security.UserNamespaces;

/// <summary>
/// runc sets up a remapped container's rootfs as the mapped root, an unprivileged host id: every directory above the
/// data root must let it pass. Checked once at start, so a 0700 parent is refused with its name instead of every run
/// failing later with runc's bare "permission denied".
/// </summary>
public static class DataRootAccess
{
    public static void RequireTraversable(string dataRoot, IdMapping map)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(dataRoot).TrimEnd('/'));
        while (!string.IsNullOrEmpty(dir))
        {
            Errno.ThrowIfFailed(Interop.Fstatat(Interop.AtFdCwd, dir, out var st, 0), "stat", dir);
            bool traversable = st.Uid == map.HostUid ? (st.Mode & 0x40) != 0
                : st.Gid == map.HostGid ? (st.Mode & 0x8) != 0
                : (st.Mode & 0x1) != 0;
            if (!traversable)
            {
                throw new EngineException(ErrorKind.Forbidden, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"data root {dataRoot}: its parent directory {dir} (mode {Convert.ToString(st.Mode & 0xFFF, 8)}) is not traversable by " +
                    $"the remapped container root (host uid {map.HostUid}); make it traversable (chmod o+x {dir}) or choose another --data-root"));
            }

            dir = Path.GetDirectoryName(dir);
        }
    }
}
