using Bulwark.Engine.Images.Layers;
using Bulwark.Native;

namespace Bulwark.Engine.Snapshots;

/// <summary>
/// Copies unpacked layer directories onto a rootfs, bottom first, applying their overlay-form whiteouts
/// (0:0 char devices or xattr-marked files) and opaque directories. Writes go through
/// <see cref="RootedFileSystem"/>, so a symlink left by a lower layer is never followed out of the rootfs.
/// </summary>
internal static class LayerCopier
{
    public static void CopyLayers(IReadOnlyList<string> layerDirs, string rootfs, CancellationToken ct)
    {
        using var fs = new RootedFileSystem(rootfs);
        foreach (var layer in layerDirs)
        {
            var links = new Dictionary<(ulong Dev, ulong Ino), string>();
            var dirs = new List<(string Rel, DateTimeOffset MTime)>();
            CopyDirectory(fs, layer, string.Empty, links, dirs, ct);
            for (int i = dirs.Count - 1; i >= 0; i--)
            {
                fs.SetTimes(dirs[i].Rel, dirs[i].MTime);
            }
        }
    }

    private static void CopyDirectory(RootedFileSystem fs, string srcDir, string rel,
        Dictionary<(ulong, ulong), string> links, List<(string, DateTimeOffset)> dirs, CancellationToken ct)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(srcDir))
        {
            ct.ThrowIfCancellationRequested();
            string name = Path.GetFileName(entry);
            string childRel = rel.Length == 0 ? name : rel + "/" + name;
            Errno.ThrowIfFailed(Interop.Fstatat(Interop.AtFdCwd, entry, out var st, Interop.AtSymlinkNoFollow), "lstat", entry);
            uint type = st.Mode & Interop.SIfMt;
            if (IsWhiteout(entry, st))
            {
                fs.Remove(childRel);
                continue;
            }

            switch (type)
            {
                case Interop.SIfDir:
                    if (IsOpaque(entry))
                    {
                        fs.Remove(childRel);
                    }

                    fs.EnsureDirectory(childRel, st.Mode);
                    CopyMetadata(fs, entry, childRel, st, setTimes: false);
                    CopyDirectory(fs, entry, childRel, links, dirs, ct);
                    dirs.Add((childRel, DateTimeOffset.FromUnixTimeSeconds(st.MtimeSec).AddTicks(st.MtimeNsec / 100)));
                    break;

                case Interop.SIfReg:
                    if (st.Nlink > 1 && links.TryGetValue((st.Dev, st.Ino), out var first))
                    {
                        fs.CreateHardlink(childRel, first);
                        break;
                    }

                    using (var handle = fs.CreateFile(childRel))
                    using (var dst = new FileStream(handle, FileAccess.Write, 1 << 16))
                    using (var src = new FileStream(entry, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
                    {
                        src.CopyTo(dst);
                    }

                    CopyMetadata(fs, entry, childRel, st, setTimes: true);
                    if (st.Nlink > 1)
                    {
                        links[(st.Dev, st.Ino)] = childRel;
                    }

                    break;

                case Interop.SIfLnk:
                    fs.CreateSymlink(childRel, Interop.Readlinkat(Interop.AtFdCwd, entry)
                        ?? throw new ErrnoException(Errno.Last, "readlink", entry));
                    fs.Lchown(childRel, st.Uid, st.Gid);
                    break;

                case Interop.SIfIfo:
                    int err = fs.TryMknod(childRel, Interop.SIfIfo | (st.Mode & 0xFFF), 0);
                    if (err != 0)
                    {
                        throw new ErrnoException(err, "mknod", childRel);
                    }

                    CopyMetadata(fs, entry, childRel, st, setTimes: true);
                    break;

                default:
                    // sockets and devices never come out of LayerApplier; skip anything else
                    break;
            }
        }
    }

    private static void CopyMetadata(RootedFileSystem fs, string src, string rel, Interop.Stat st, bool setTimes)
    {
        fs.Lchown(rel, st.Uid, st.Gid);
        fs.Chmod(rel, st.Mode & 0xFFF);
        foreach (var attr in Interop.Llistxattr(src))
        {
            if (LayerApplier.IsKeptXattr(attr) && !attr.StartsWith("user.overlay.", StringComparison.Ordinal)
                && Interop.Lgetxattr(src, attr) is { } value)
            {
                fs.TrySetXattr(rel, attr, value);
            }
        }

        if (setTimes)
        {
            fs.SetTimes(rel, DateTimeOffset.FromUnixTimeSeconds(st.MtimeSec).AddTicks(st.MtimeNsec / 100));
        }
    }

    internal static bool IsWhiteout(string path, Interop.Stat st)
    {
        uint type = st.Mode & Interop.SIfMt;
        if (type == Interop.SIfChr && st.Rdev == 0)
        {
            return true;
        }

        return type == Interop.SIfReg && st.Size == 0
            && (Interop.Lgetxattr(path, Whiteouts.WhiteoutXattr) is not null
                || Interop.Lgetxattr(path, Whiteouts.UserWhiteoutXattr) is not null);
    }

    internal static bool IsOpaque(string dir) =>
        Interop.Lgetxattr(dir, Whiteouts.OpaqueXattr) is [(byte)'y']
        || Interop.Lgetxattr(dir, Whiteouts.UserOpaqueXattr) is [(byte)'y'];
}
