using System.Globalization;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Native;

namespace Bulwark.Engine.Snapshots.Idmapped;

/// <summary>
/// A container's view of its image layers in its own id range: each layer directory (stored once, with the image's
/// owners) is mounted read-only and idmapped at &lt;containerDir&gt;/idmap/l&lt;n&gt; (n = 0 for the bottom layer), and
/// the overlay takes those mounts as its lowerdirs. Nothing on disk is copied or chowned. Every mount under idmap/
/// (layers and <see cref="IdmappedBindSources"/>) is detached together when the container's rootfs is unmounted.
/// </summary>
public static class IdmappedLowerLayers
{
    public static string Root(string containerDir) => Path.Combine(containerDir, "idmap");

    /// <summary>Mounts every layer (bottom first, as given) and returns the mount points in the same order.</summary>
    public static IReadOnlyList<string> Mount(string containerDir, IReadOnlyList<string> layerDirs, IdMapping map)
    {
        string root = Root(containerDir);
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mounted = MountPoints.Under(root);
        var targets = new List<string>(layerDirs.Count);
        try
        {
            using var userns = UserNamespaceCache.Rent(map);
            for (int i = 0; i < layerDirs.Count; i++)
            {
                string target = Path.Combine(root, "l" + i.ToString(CultureInfo.InvariantCulture));
                Directory.CreateDirectory(target);
                if (!mounted.Contains(target))
                {
                    IdmappedMount.Attach(layerDirs[i], target, userns.File, Interop.MountAttrRdOnly | Interop.MountAttrNoDev);
                }

                targets.Add(target);
            }
        }
        catch
        {
            Unmount(containerDir);
            throw;
        }

        return targets;
    }

    /// <summary>Detaches every mount under idmap/ (idempotent; also after a crash, when only the mounts remain).</summary>
    public static void Unmount(string containerDir) => Unmount(containerDir, "");

    /// <summary>
    /// Detaches the layer mounts once the overlay is mounted: overlayfs keeps private clones of its layers (idmapping
    /// included), so the mount table holds one mount per container, not one per layer.
    /// </summary>
    public static void DetachLayers(string containerDir) => Unmount(containerDir, "l");

    /// <summary>Detaches the mounts under idmap/ whose names start with <paramref name="prefix"/>.</summary>
    public static void Unmount(string containerDir, string prefix)
    {
        string root = Root(containerDir);
        if (!Directory.Exists(root))
        {
            return;
        }

        // The mount points are the entries of idmap/ (l<n>, b<n>): listing the directory is cheaper than the mount table.
        foreach (var target in Directory.EnumerateFileSystemEntries(root, prefix + "*"))
        {
            MountPoints.DetachAll(target);
        }
    }

    /// <summary>Unmounts, then removes the empty mount points (never recursively: a mount left in place is refused, not emptied).</summary>
    public static void Remove(string containerDir)
    {
        Unmount(containerDir);
        string root = Root(containerDir);
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var target in Directory.EnumerateDirectories(root))
        {
            Directory.Delete(target, recursive: false);
        }

        foreach (var target in Directory.EnumerateFiles(root))
        {
            File.Delete(target); // the mount point of a bound file: an empty file
        }

        Directory.Delete(root, recursive: false);
    }
}
