using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Snapshots.Idmapped;

/// <summary>
/// Idmapped mounts (kernel 5.12+): a detached clone of a directory's mount (open_tree OPEN_TREE_CLONE), given a user
/// namespace's mapping (mount_setattr MOUNT_ATTR_IDMAP) and attached elsewhere (move_mount). Files keep their owners on
/// disk; through the new mount, an owner id N reads as the id N maps to.
/// </summary>
public static class IdmappedMount
{
    /// <summary>Mounts <paramref name="source"/> at <paramref name="target"/> (an existing directory) idmapped by <paramref name="userns"/>.</summary>
    /// <param name="extraAttributes">More MOUNT_ATTR_* flags to set (nosuid, nodev, rdonly).</param>
    /// <param name="recursive">Clone and map the submounts too (an rbind).</param>
    public static void Attach(string source, string target, SafeFileHandle userns, ulong extraAttributes = 0, bool recursive = false)
    {
        int cloneFlags = Interop.OpenTreeClone | Interop.OCloExec | (recursive ? Interop.AtRecursive : 0);
        int fd = Interop.OpenTree(Interop.AtFdCwd, source, cloneFlags);
        Errno.ThrowIfFailed(fd, "open_tree", source);
        using var tree = new SafeFileHandle(fd, ownsHandle: true);
        bool added = false;
        userns.DangerousAddRef(ref added);
        try
        {
            int setFlags = Interop.AtEmptyPath | (recursive ? Interop.AtRecursive : 0);
            Errno.ThrowIfFailed(
                Interop.MountSetattr(fd, "", setFlags, Interop.MountAttrIdmap | extraAttributes, (int)userns.DangerousGetHandle()),
                "mount_setattr(MOUNT_ATTR_IDMAP)", source);
        }
        finally
        {
            if (added)
            {
                userns.DangerousRelease();
            }
        }

        Errno.ThrowIfFailed(Interop.MoveMount(fd, "", Interop.AtFdCwd, target, Interop.MoveMountFEmptyPath), "move_mount", target);
    }

    /// <summary>Whether this kernel and filesystem can idmap <paramref name="probeDir"/>'s mount (the clone is never attached).</summary>
    public static bool Probe(string probeDir, SafeFileHandle userns, out string reason)
    {
        int fd = Interop.OpenTree(Interop.AtFdCwd, probeDir, Interop.OpenTreeClone | Interop.OCloExec);
        if (fd < 0)
        {
            reason = new ErrnoException(Errno.Last, "open_tree", probeDir).Message;
            return false;
        }

        using var tree = new SafeFileHandle(fd, ownsHandle: true);
        bool added = false;
        userns.DangerousAddRef(ref added);
        try
        {
            if (Interop.MountSetattr(fd, "", Interop.AtEmptyPath, Interop.MountAttrIdmap, (int)userns.DangerousGetHandle()) < 0)
            {
                reason = new ErrnoException(Errno.Last, "mount_setattr(MOUNT_ATTR_IDMAP)", probeDir).Message;
                return false;
            }
        }
        finally
        {
            if (added)
            {
                userns.DangerousRelease();
            }
        }

        reason = "";
        return true;
    }
}
