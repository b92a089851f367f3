using Microsoft.Win32.SafeHandles;

namespace Bulwark.Native;

/// <summary>
/// Read-side helpers for walking a tree inside the root by file descriptor (docker cp, export, diff): a path is
/// resolved once inside the root, then every child is reached with *at() calls on the parent's descriptor and
/// O_NOFOLLOW, so swapping a component for a symlink mid-walk cannot lead outside the root.
/// </summary>
public sealed partial class RootedFileSystem
{
    private string? rootHostPath;

    /// <summary>
    /// An O_PATH handle on <paramref name="path"/> resolved inside the root, or null when it does not exist.
    /// Directory components resolve inside the root; the final component is followed (inside the root too)
    /// only when <paramref name="followFinal"/>.
    /// </summary>
    public SafeFileHandle? TryOpenPath(string path, bool followFinal)
    {
        string current = Clean(path);
        for (int links = 0; links <= MaxSymlinks; links++)
        {
            var (parent, name) = SplitPath(current);
            if (name.Length == 0)
            {
                return Dup(root);
            }

            SafeFileHandle? dir;
            try
            {
                dir = TryOpenDirectory(parent, create: false);
            }
            catch (ErrnoException ex) when (ex.Errno is Errno.ENOTDIR or Errno.ENOENT)
            {
                return null;
            }

            if (dir is null)
            {
                return null;
            }

            using (dir)
            {
                if (Interop.Fstatat(dir.Fd(), name, out var st, Interop.AtSymlinkNoFollow) < 0)
                {
                    int e = Errno.Last;
                    if (e is Errno.ENOENT or Errno.ENOTDIR)
                    {
                        return null;
                    }

                    throw new ErrnoException(e, "lstat", Describe(current));
                }

                if (followFinal && (st.Mode & Interop.SIfMt) == Interop.SIfLnk)
                {
                    string target = Interop.Readlinkat(dir.Fd(), name)
                        ?? throw new ErrnoException(Errno.Last, "readlink", Describe(current));
                    string baseDir = target.StartsWith('/') ? string.Empty : PathOf(dir) ?? parent;
                    current = Clean(baseDir + "/" + target);
                    continue;
                }

                int fd = Interop.Openat(dir.Fd(), name, Interop.OPath | Interop.ONoFollow | Interop.OCloExec, 0);
                if (fd < 0)
                {
                    int e = Errno.Last;
                    if (e is Errno.ENOENT)
                    {
                        return null;
                    }

                    throw new ErrnoException(e, "open", Describe(current));
                }

                return new SafeFileHandle(fd, ownsHandle: true);
            }
        }

        throw new ErrnoException(Errno.ELOOP, "resolve", Describe(path));
    }

    /// <summary>
    /// Where an open handle is, relative to the root ("" for the root itself, no leading '/'), or null when the
    /// object is not under the root (or no longer linked). For messages and mount checks, never for access.
    /// </summary>
    public string? PathOf(SafeFileHandle handle)
    {
        rootHostPath ??= ReadFdLink(root) ?? RootPath.TrimEnd('/');
        string? host = ReadFdLink(handle);
        if (host is null)
        {
            return null;
        }

        string rootPrefix = rootHostPath == "/" ? string.Empty : rootHostPath;
        if (host == rootHostPath)
        {
            return string.Empty;
        }

        return host.StartsWith(rootPrefix + "/", StringComparison.Ordinal) ? host[(rootPrefix.Length + 1)..] : null;
    }

    /// <summary>fstat of an open handle (O_PATH handles included).</summary>
    public static Interop.Stat Fstat(SafeFileHandle handle)
    {
        Errno.ThrowIfFailed(Interop.Fstatat(handle.Fd(), string.Empty, out var st, Interop.AtEmptyPath | Interop.AtSymlinkNoFollow),
            "fstat", "fd " + handle.Fd());
        return st;
    }

    /// <summary>lstat of one entry of an open directory; null when it is gone.</summary>
    public static Interop.Stat? TryLstatChild(SafeFileHandle dir, string name)
    {
        CheckName(name);
        if (Interop.Fstatat(dir.Fd(), name, out var st, Interop.AtSymlinkNoFollow) < 0)
        {
            int e = Errno.Last;
            return e is Errno.ENOENT or Errno.ENOTDIR ? null : throw new ErrnoException(e, "lstat", name);
        }

        return st;
    }

    /// <summary>
    /// Opens one entry of an open directory with O_NOFOLLOW (a symlink fails with ELOOP instead of being followed);
    /// null when it is gone or has become a symlink. <paramref name="flags"/> e.g. O_RDONLY|O_NONBLOCK or O_PATH|O_DIRECTORY.
    /// </summary>
    public static SafeFileHandle? TryOpenChild(SafeFileHandle dir, string name, int flags)
    {
        CheckName(name);
        int fd = Interop.Openat(dir.Fd(), name, flags | Interop.ONoFollow | Interop.OCloExec | Interop.ONoCtty, 0);
        if (fd < 0)
        {
            int e = Errno.Last;
            return e is Errno.ENOENT or Errno.ELOOP or Errno.ENOTDIR or Errno.ENXIO ? null : throw new ErrnoException(e, "open", name);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The target text of a symlink entry of an open directory; null when it is gone or not a symlink.</summary>
    public static string? TryReadLinkChild(SafeFileHandle dir, string name)
    {
        CheckName(name);
        return Interop.Readlinkat(dir.Fd(), name);
    }

    /// <summary>The entry names of an open directory (no "." or ".."), sorted ordinally.</summary>
    public static IReadOnlyList<string> ListDirectory(SafeFileHandle dir)
    {
        // /proc/self/fd/N reaches exactly the directory the descriptor holds; no path is resolved again.
        string viaFd = "/proc/self/fd/" + dir.Fd();
        var names = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(viaFd))
        {
            names.Add(entry[(viaFd.Length + 1)..]);
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Cleans a root-relative path: "." dropped, ".." resolved lexically and clamped at the root.</summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var c in path.Split('/'))
        {
            if (c.Length == 0 || c == ".")
            {
                continue;
            }

            if (c == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(c);
        }

        return string.Join('/', parts);
    }

    private static void CheckName(string name)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ErrnoException(Errno.EINVAL, "open", name);
        }
    }

    private static string? ReadFdLink(SafeFileHandle handle) =>
        Interop.Readlinkat(Interop.AtFdCwd, "/proc/self/fd/" + handle.Fd());
}
