using System.Text;
using Bulwark.Engine.Errors;
using Bulwark.Native;

namespace Bulwark.Engine.Snapshots;

/// <summary>
/// Hides the image's /dev before the runtime sees the bundle. runc 1.1.5 lacks the 2025 fixes for images whose
/// /dev/null, /dev/console, /dev/ptmx or /dev/pts are symlinks or unexpected nodes (CVE-2025-31133, CVE-2025-52565,
/// CVE-2025-52881). The runtime mounts a fresh tmpfs on /dev anyway, so nothing of the image's /dev is needed:
/// overlay: the container's upper layer gets an empty opaque /dev directory (the image's /dev, whatever it is,
/// becomes invisible); copy: the rootfs's /dev is replaced with an empty directory.
/// </summary>
public static class RootfsDevGuard
{
    private static readonly byte[] Yes = Encoding.ASCII.GetBytes("y");

    /// <summary>Applies the guard to an unmounted container snapshot; <paramref name="owner"/> is the (mapped) root's host uid/gid.</summary>
    public static void Apply(string containerDir, string driver, (uint Uid, uint Gid) owner)
    {
        bool overlay = driver == SnapshotService.OverlayDriver;
        string dir = Path.Combine(containerDir, overlay ? "upper" : "rootfs");
        if (!Directory.Exists(dir))
        {
            throw EngineException.Conflict($"snapshot {containerDir}: {dir} is missing; cannot neutralise the image's /dev");
        }

        string dev = Path.Combine(dir, "dev");
        RemoveNoFollow(dev);
        Errno.ThrowIfFailed(Interop.Mkdirat(Interop.AtFdCwd, dev, 0x1ED), "mkdir", dev);
        Errno.ThrowIfFailed(Interop.Fchmodat(Interop.AtFdCwd, dev, 0x1ED, 0), "chmod", dev);
        Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, dev, owner.Uid, owner.Gid, Interop.AtSymlinkNoFollow), "lchown", dev);
        if (overlay)
        {
            Errno.ThrowIfFailed(Interop.Lsetxattr(dev, "trusted.overlay.opaque", Yes), "setxattr trusted.overlay.opaque", dev);
        }
    }

    private static void RemoveNoFollow(string path)
    {
        if (Interop.Fstatat(Interop.AtFdCwd, path, out var st, Interop.AtSymlinkNoFollow) != 0)
        {
            return;
        }

        if ((st.Mode & Interop.SIfMt) == Interop.SIfDir)
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(path))
            {
                RemoveNoFollow(child);
            }

            Errno.ThrowIfFailed(Interop.Unlinkat(Interop.AtFdCwd, path, Interop.AtRemoveDir), "rmdir", path);
        }
        else
        {
            Errno.ThrowIfFailed(Interop.Unlinkat(Interop.AtFdCwd, path, 0), "unlink", path);
        }
    }
}
