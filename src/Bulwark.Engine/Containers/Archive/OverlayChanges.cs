using Bulwark.Engine.Images.Layers;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Containers.Archive;

/// <summary>
/// <c>docker diff</c> from an overlay upper directory: a 0:0 character device (overlay whiteout) is a deletion;
/// an entry that also exists in a lower layer is a modification; anything else is an addition. Below an opaque
/// directory nothing of the lower layers shows through, so its entries are additions and the lower entries it
/// hides are deletions. The upper directory is walked by descriptor without following symlinks (the container
/// writes it); lower layers are probed with lstat resolved inside each layer.
/// </summary>
internal static class OverlayChanges
{
    public static IReadOnlyList<ContainerChange> Compute(string upperDir, IReadOnlyList<string> lowerDirs, ISet<string> ignored, CancellationToken ct)
    {
        var lowers = new List<RootedFileSystem>();
        try
        {
            // The last layer dir is the topmost (SnapshotService mounts them reversed).
            for (int i = lowerDirs.Count - 1; i >= 0; i--)
            {
                lowers.Add(new RootedFileSystem(lowerDirs[i]));
            }

            using var upper = new RootedFileSystem(upperDir);
            using var root = upper.TryOpenPath(string.Empty, followFinal: false)!;
            var changes = new List<ContainerChange>();
            Walk(root, string.Empty, belowOpaque: false, lowers, ignored, changes, ct);
            changes.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            return changes;
        }
        finally
        {
            foreach (var l in lowers)
            {
                l.Dispose();
            }
        }
    }

    private static void Walk(SafeFileHandle dir, string rel, bool belowOpaque, List<RootedFileSystem> lowers,
        ISet<string> ignored, List<ContainerChange> changes, CancellationToken ct)
    {
        foreach (string name in RootedFileSystem.ListDirectory(dir))
        {
            ct.ThrowIfCancellationRequested();
            string path = rel.Length == 0 ? name : rel + "/" + name;
            if (ignored.Contains("/" + path) || RootedFileSystem.TryLstatChild(dir, name) is not { } st)
            {
                continue;
            }

            uint type = st.Mode & Interop.SIfMt;
            if (type == Interop.SIfChr && st.Rdev == 0)
            {
                changes.Add(new ContainerChange("/" + path, ContainerChangeKind.Deleted));
                continue;
            }

            if (name.StartsWith(Whiteouts.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            bool inLower = !belowOpaque && ExistsInLower(lowers, path);
            changes.Add(new ContainerChange("/" + path, inLower ? ContainerChangeKind.Modified : ContainerChangeKind.Added));
            if (type != Interop.SIfDir)
            {
                continue;
            }

            using var child = RootedFileSystem.TryOpenChild(dir, name, Interop.ORdOnly | Interop.ODirectory);
            if (child is null)
            {
                continue;
            }

            bool opaque = IsOpaque(child);
            if (opaque && inLower)
            {
                var present = new HashSet<string>(RootedFileSystem.ListDirectory(child), StringComparer.Ordinal);
                foreach (string hidden in LowerChildren(lowers, path))
                {
                    if (!present.Contains(hidden))
                    {
                        changes.Add(new ContainerChange("/" + path + "/" + hidden, ContainerChangeKind.Deleted));
                    }
                }
            }

            Walk(child, path, belowOpaque || opaque, lowers, ignored, changes, ct);
        }
    }

    private static bool IsOpaque(SafeFileHandle dir) =>
        Interop.Fgetxattr(dir.Fd(), Whiteouts.OpaqueXattr) is [(byte)'y'] || Interop.Fgetxattr(dir.Fd(), Whiteouts.UserOpaqueXattr) is [(byte)'y'];

    private static bool ExistsInLower(List<RootedFileSystem> lowers, string path)
    {
        foreach (var layer in lowers)
        {
            if (layer.Lstat(path) is { } st)
            {
                return !((st.Mode & Interop.SIfMt) == Interop.SIfChr && st.Rdev == 0);
            }
        }

        return false;
    }

    private static IEnumerable<string> LowerChildren(List<RootedFileSystem> lowers, string path)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var layer in lowers)
        {
            using var h = layer.TryOpenPath(path, followFinal: false);
            if (h is null || (RootedFileSystem.Fstat(h).Mode & Interop.SIfMt) != Interop.SIfDir)
            {
                continue;
            }

            foreach (string n in RootedFileSystem.ListDirectory(h))
            {
                if (!n.StartsWith(Whiteouts.Prefix, StringComparison.Ordinal) && layer.Lstat(path + "/" + n) is { } st
                    && !((st.Mode & Interop.SIfMt) == Interop.SIfChr && st.Rdev == 0))
                {
                    names.Add(n);
                }
            }
        }

        return names;
    }
}
