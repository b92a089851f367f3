using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Volumes;

/// <summary>
/// Docker's copy-up: when an empty volume is mounted over a directory that has content in the image, that content
/// (owners, modes, times, symlinks as symlinks, hard links) is copied into the volume first. Both sides are
/// <see cref="RootedFileSystem"/>s: the source path resolves inside the container's rootfs exactly as the runtime
/// resolves the mount destination (symlinks followed, clamped at the rootfs), every child is opened with O_NOFOLLOW
/// from its parent's descriptor, and every write is resolved inside the volume's <c>_data</c>. Nothing outside the
/// rootfs is read and nothing outside the volume is written. Owners are copied as they are on the host, so a
/// user-namespace shift of the image carries over unchanged, unless the volume is stored unshifted (mounted idmapped):
/// then owners in the container's range are stored as the container ids they stand for.
/// </summary>
public static class VolumeCopyUp
{
    private const int MaxDepth = 512;

    /// <summary>Copies <paramref name="containerPath"/> of the rootfs into the volume when the volume is empty and
    /// the path is a directory. Returns whether anything was copied.</summary>
    /// <param name="unshift">The container's mapping when the volume is stored unshifted and mounted idmapped; else null.</param>
    public static bool CopyIfEmpty(RootedFileSystem rootfs, string containerPath, string volumeData, CancellationToken ct, IdMapping? unshift = null)
    {
        using var src = rootfs.TryOpenPath(RootedFileSystem.Clean(containerPath), followFinal: true);
        if (src is null || (RootedFileSystem.Fstat(src).Mode & Interop.SIfMt) != Interop.SIfDir)
        {
            return false;
        }

        using var dst = new RootedFileSystem(volumeData);
        using (var dstRoot = dst.TryOpenPath(string.Empty, followFinal: false))
        {
            if (dstRoot is null || RootedFileSystem.ListDirectory(dstRoot).Count > 0)
            {
                return false;
            }
        }

        var top = RootedFileSystem.Fstat(src);
        if (RootedFileSystem.ListDirectory(src).Count == 0)
        {
            return false;
        }

        var links = new Dictionary<(ulong, ulong), string>();
        var dirs = new List<(string Rel, DateTimeOffset MTime)>();
        CopyChildren(src, dst, string.Empty, links, dirs, 0, unshift, ct);
        for (int i = dirs.Count - 1; i >= 0; i--)
        {
            dst.SetTimes(dirs[i].Rel, dirs[i].MTime);
        }

        dst.Lchown(string.Empty, Uid(top, unshift), Gid(top, unshift));
        dst.Chmod(string.Empty, top.Mode & 0xFFF);
        dst.SetTimes(string.Empty, MTime(top));
        return true;
    }

    private static void CopyChildren(SafeFileHandle srcDir, RootedFileSystem dst, string rel,
        Dictionary<(ulong, ulong), string> links, List<(string, DateTimeOffset)> dirs, int depth, IdMapping? unshift, CancellationToken ct)
    {
        if (depth > MaxDepth)
        {
            throw new ErrnoException(Errno.ELOOP, "copy-up", rel);
        }

        foreach (string name in RootedFileSystem.ListDirectory(srcDir))
        {
            ct.ThrowIfCancellationRequested();
            if (RootedFileSystem.TryLstatChild(srcDir, name) is not { } st)
            {
                continue;
            }

            string childRel = rel.Length == 0 ? name : rel + "/" + name;
            switch (st.Mode & Interop.SIfMt)
            {
                case Interop.SIfDir:
                    using (var sub = RootedFileSystem.TryOpenChild(srcDir, name, Interop.OPath | Interop.ODirectory))
                    {
                        if (sub is null)
                        {
                            break;
                        }

                        dst.EnsureDirectory(childRel, 0x1C0);
                        CopyChildren(sub, dst, childRel, links, dirs, depth + 1, unshift, ct);
                        dst.Lchown(childRel, Uid(st, unshift), Gid(st, unshift));
                        dst.Chmod(childRel, st.Mode & 0xFFF);
                        dirs.Add((childRel, MTime(st)));
                    }

                    break;

                case Interop.SIfReg:
                    if (st.Nlink > 1 && links.TryGetValue((st.Dev, st.Ino), out string? first))
                    {
                        dst.CreateHardlink(childRel, first);
                        break;
                    }

                    using (var input = RootedFileSystem.TryOpenChild(srcDir, name, Interop.ORdOnly | Interop.ONonBlock))
                    {
                        if (input is null || !SameRegularFile(RootedFileSystem.Fstat(input), st))
                        {
                            break; // replaced while we looked: skip it rather than copy something else
                        }

                        using (var output = dst.CreateFile(childRel))
                        using (var to = new FileStream(output, FileAccess.Write, 1 << 16))
                        using (var from = new FileStream(input, FileAccess.Read, 1 << 16))
                        {
                            from.CopyTo(to);
                        }
                    }

                    dst.Lchown(childRel, Uid(st, unshift), Gid(st, unshift));
                    dst.Chmod(childRel, st.Mode & 0xFFF);
                    dst.SetTimes(childRel, MTime(st));
                    if (st.Nlink > 1)
                    {
                        links[(st.Dev, st.Ino)] = childRel;
                    }

                    break;

                case Interop.SIfLnk:
                    if (RootedFileSystem.TryReadLinkChild(srcDir, name) is { } target)
                    {
                        dst.CreateSymlink(childRel, target);
                        dst.Lchown(childRel, Uid(st, unshift), Gid(st, unshift));
                    }

                    break;

                case Interop.SIfIfo:
                    if (dst.TryMknod(childRel, Interop.SIfIfo | (st.Mode & 0xFFF), 0) == 0)
                    {
                        dst.Lchown(childRel, Uid(st, unshift), Gid(st, unshift));
                    }

                    break;

                default:
                    // Devices and sockets are not copied (a remapped container could not have made them anyway).
                    break;
            }
        }
    }

    private static uint Uid(Interop.Stat st, IdMapping? unshift) => unshift?.ToContainerUid(st.Uid) ?? st.Uid;

    private static uint Gid(Interop.Stat st, IdMapping? unshift) => unshift?.ToContainerGid(st.Gid) ?? st.Gid;

    private static bool SameRegularFile(Interop.Stat opened, Interop.Stat listed) =>
        (opened.Mode & Interop.SIfMt) == Interop.SIfReg && opened.Ino == listed.Ino && opened.Dev == listed.Dev;

    private static DateTimeOffset MTime(Interop.Stat st) => DateTimeOffset.FromUnixTimeSeconds(st.MtimeSec).AddTicks(st.MtimeNsec / 100);
}
