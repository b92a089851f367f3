using Microsoft.Win32.SafeHandles;

namespace Bulwark.Native;

/// <summary>
/// A directory tree treated as a root: every path is resolved inside it by file descriptor, with
/// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) or, where the kernel lacks openat2, a component
/// walker that opens each component with O_NOFOLLOW and resolves symlinks itself, clamped at the root.
/// Symlinks in directory components resolve as if the root were "/"; a final component is never
/// followed: it is replaced, created with O_EXCL|O_NOFOLLOW, or acted on with AT_SYMLINK_NOFOLLOW.
/// Paths are relative, '/'-separated, already cleaned of "." and ".." by the caller.
/// </summary>
public sealed partial class RootedFileSystem : IDisposable
{
    private const int MaxSymlinks = 40;
    private static readonly Lazy<bool> Openat2Available = new(ProbeOpenat2);
    private readonly SafeFileHandle root;

    public RootedFileSystem(string rootPath, bool allowOpenat2 = true)
    {
        RootPath = rootPath;
        UsesOpenat2 = allowOpenat2 && Openat2Available.Value;
        int fd = Interop.Openat(Interop.AtFdCwd, rootPath, Interop.OPath | Interop.ODirectory | Interop.OCloExec, 0);
        Errno.ThrowIfFailed(fd, "open", rootPath);
        root = new SafeFileHandle(fd, ownsHandle: true);
    }

    public string RootPath { get; }

    /// <summary>True when paths are resolved with openat2; false when the O_NOFOLLOW walker is used.</summary>
    public bool UsesOpenat2 { get; }

    public static bool KernelHasOpenat2 => Openat2Available.Value;

    public void Dispose() => root.Dispose();

    /// <summary>lstat of a path inside the root; null when it does not exist.</summary>
    public Interop.Stat? Lstat(string path)
    {
        var (parent, name) = SplitPath(path);
        if (name.Length == 0)
        {
            int r0 = Interop.Fstatat(root.Fd(), ".", out var rs, Interop.AtSymlinkNoFollow);
            Errno.ThrowIfFailed(r0, "stat", RootPath);
            return rs;
        }

        using var dir = TryOpenDirectory(parent, create: false);
        if (dir is null)
        {
            return null;
        }

        int r = Interop.Fstatat(dir.Fd(), name, out var st, Interop.AtSymlinkNoFollow);
        if (r < 0)
        {
            int e = Errno.Last;
            if (e is Errno.ENOENT or Errno.ENOTDIR)
            {
                return null;
            }

            throw new ErrnoException(e, "lstat", Describe(path));
        }

        return st;
    }

    /// <summary>Makes sure <paramref name="path"/> is a directory (creating missing parents with 0755).</summary>
    public void EnsureDirectory(string path, uint mode)
    {
        var (parent, name) = SplitPath(path);
        if (name.Length == 0)
        {
            return;
        }

        using var dir = OpenDirectory(parent, create: true);
        int r = Interop.Fstatat(dir.Fd(), name, out var st, Interop.AtSymlinkNoFollow);
        if (r == 0 && (st.Mode & Interop.SIfMt) == Interop.SIfDir)
        {
            return;
        }

        if (r == 0)
        {
            RemoveEntry(dir, name, path);
        }

        Errno.ThrowIfFailed(Interop.Mkdirat(dir.Fd(), name, mode & 0xFFF), "mkdir", Describe(path));
    }

    /// <summary>Removes a path (recursively for a directory) without following a final symlink. Absent is fine.</summary>
    public void Remove(string path)
    {
        var (parent, name) = SplitPath(path);
        if (name.Length == 0)
        {
            throw new ErrnoException(Errno.EINVAL, "remove", Describe(path));
        }

        using var dir = TryOpenDirectory(parent, create: false);
        if (dir is not null)
        {
            RemoveEntry(dir, name, path);
        }
    }

    /// <summary>Creates a new regular file (replacing what was there) and returns a writable handle.</summary>
    public SafeFileHandle CreateFile(string path)
    {
        var (parent, name) = SplitPath(path);
        using var dir = OpenDirectory(parent, create: true);
        RemoveEntry(dir, name, path);
        int fd = Interop.Openat(dir.Fd(), name,
            Interop.OWrOnly | Interop.OCreat | Interop.OExcl | Interop.ONoFollow | Interop.OCloExec, 0x180);
        Errno.ThrowIfFailed(fd, "create", Describe(path));
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Creates a symlink with any target text (it is never followed here).</summary>
    public void CreateSymlink(string path, string target)
    {
        var (parent, name) = SplitPath(path);
        using var dir = OpenDirectory(parent, create: true);
        RemoveEntry(dir, name, path);
        Errno.ThrowIfFailed(Interop.Symlinkat(target, dir.Fd(), name), "symlink", Describe(path));
    }

    /// <summary>Creates a hard link at <paramref name="path"/> to the existing non-directory <paramref name="target"/>.</summary>
    public void CreateHardlink(string path, string target)
    {
        var (tparent, tname) = SplitPath(target);
        using var tdir = TryOpenDirectory(tparent, create: false)
            ?? throw new ErrnoException(Errno.ENOENT, "link", Describe(target));
        int r = Interop.Fstatat(tdir.Fd(), tname, out var st, Interop.AtSymlinkNoFollow);
        Errno.ThrowIfFailed(r, "link", Describe(target));
        if ((st.Mode & Interop.SIfMt) == Interop.SIfDir)
        {
            throw new ErrnoException(Errno.EISDIR, "link", Describe(target));
        }

        var (parent, name) = SplitPath(path);
        using var dir = OpenDirectory(parent, create: true);
        if (tparent == parent && tname == name)
        {
            return;
        }

        RemoveEntry(dir, name, path);
        Errno.ThrowIfFailed(Interop.Linkat(tdir.Fd(), tname, dir.Fd(), name, 0), "link", Describe(path));
    }

    /// <summary>mknod inside the root (fifos, and the 0:0 character device that overlayfs reads as a whiteout).</summary>
    public int TryMknod(string path, uint mode, ulong dev)
    {
        var (parent, name) = SplitPath(path);
        using var dir = OpenDirectory(parent, create: true);
        RemoveEntry(dir, name, path);
        return Interop.Mknodat(dir.Fd(), name, mode, dev) < 0 ? Errno.Last : 0;
    }

    public void Lchown(string path, uint uid, uint gid)
    {
        var (parent, name) = SplitPath(path);
        using var dir = OpenDirectory(parent, create: false);
        int r = name.Length == 0
            ? Interop.Fchownat(root.Fd(), "", uid, gid, Interop.AtEmptyPath)
            : Interop.Fchownat(dir.Fd(), name, uid, gid, Interop.AtSymlinkNoFollow);
        Errno.ThrowIfFailed(r, "chown", Describe(path));
    }

    /// <summary>chmod of a non-symlink (symlink modes are meaningless on Linux and silently skipped).</summary>
    public void Chmod(string path, uint mode)
    {
        var (parent, name) = SplitPath(path);
        using var dir = OpenDirectory(parent, create: false);
        string leaf = name.Length == 0 ? "." : name;
        int r = Interop.Fstatat(dir.Fd(), leaf, out var st, Interop.AtSymlinkNoFollow);
        Errno.ThrowIfFailed(r, "chmod", Describe(path));
        if ((st.Mode & Interop.SIfMt) == Interop.SIfLnk)
        {
            return;
        }

        // fchmodat cannot refuse a symlink, and the entry may have been swapped for one since the lstat: chmod the
        // object an O_NOFOLLOW descriptor holds, through /proc/self/fd (the magic link reaches exactly that inode).
        int fd = Interop.Openat(dir.Fd(), leaf, Interop.OPath | Interop.ONoFollow | Interop.OCloExec, 0);
        Errno.ThrowIfFailed(fd, "open", Describe(path));
        using var h = new SafeFileHandle(fd, ownsHandle: true);
        Errno.ThrowIfFailed(Interop.Fstatat(fd, string.Empty, out st, Interop.AtEmptyPath | Interop.AtSymlinkNoFollow), "chmod", Describe(path));
        if ((st.Mode & Interop.SIfMt) == Interop.SIfLnk)
        {
            return;
        }

        Errno.ThrowIfFailed(Interop.Fchmodat(Interop.AtFdCwd, "/proc/self/fd/" + fd, mode & 0xFFF, 0), "chmod", Describe(path));
    }

    public void SetTimes(string path, DateTimeOffset time)
    {
        var (parent, name) = SplitPath(path);
        using var dir = OpenDirectory(parent, create: false);
        string leaf = name.Length == 0 ? "." : name;
        Errno.ThrowIfFailed(Interop.Utimensat(dir.Fd(), leaf, time, Interop.AtSymlinkNoFollow), "utimensat", Describe(path));
    }

    /// <summary>Sets an extended attribute on a directory or regular file (never through a symlink).</summary>
    public int TrySetXattr(string path, string attribute, ReadOnlySpan<byte> value)
    {
        var (parent, name) = SplitPath(path);
        using var dir = OpenDirectory(parent, create: false);
        string leaf = name.Length == 0 ? "." : name;
        int fd = Interop.Openat(dir.Fd(), leaf, Interop.ORdOnly | Interop.ONoFollow | Interop.ONonBlock | Interop.OCloExec | Interop.ONoCtty, 0);
        if (fd < 0)
        {
            return Errno.Last;
        }

        using var h = new SafeFileHandle(fd, ownsHandle: true);
        return Interop.Fsetxattr(fd, attribute, value) < 0 ? Errno.Last : 0;
    }

    /// <summary>Flushes the filesystem that holds the root (one syncfs instead of one fsync per file).</summary>
    public void SyncFilesystem()
    {
        int fd = Interop.Openat(root.Fd(), ".", Interop.ORdOnly | Interop.ODirectory | Interop.OCloExec, 0);
        Errno.ThrowIfFailed(fd, "open", RootPath);
        using var h = new SafeFileHandle(fd, ownsHandle: true);
        Errno.ThrowIfFailed(Interop.Syncfs(fd), "syncfs", RootPath);
    }

    private static bool ProbeOpenat2()
    {
        int fd = Interop.Openat2(Interop.AtFdCwd, "/", Interop.OPath | Interop.OCloExec, 0, 0);
        if (fd < 0)
        {
            return false;
        }

        using var h = new SafeFileHandle(fd, ownsHandle: true);
        return true;
    }

    private static (string Parent, string Name) SplitPath(string path)
    {
        path = path.Trim('/');
        int slash = path.LastIndexOf('/');
        return slash < 0 ? (string.Empty, path) : (path[..slash], path[(slash + 1)..]);
    }

    private string Describe(string path) => RootPath.TrimEnd('/') + "/" + path.TrimStart('/');

    private void RemoveEntry(SafeFileHandle dir, string name, string pathForErrors)
    {
        int r = Interop.Fstatat(dir.Fd(), name, out var st, Interop.AtSymlinkNoFollow);
        if (r < 0)
        {
            int e = Errno.Last;
            if (e == Errno.ENOENT)
            {
                return;
            }

            throw new ErrnoException(e, "lstat", Describe(pathForErrors));
        }

        if ((st.Mode & Interop.SIfMt) != Interop.SIfDir)
        {
            Errno.ThrowIfFailed(Interop.Unlinkat(dir.Fd(), name, 0), "unlink", Describe(pathForErrors));
            return;
        }

        // The directory fd is ours and resolved inside the root; /proc/self/fd/N/<name> reaches exactly
        // that entry, and Directory.Delete unlinks symlinks inside it instead of following them.
        string viaFd = $"/proc/self/fd/{dir.Fd()}/{name}";
        Directory.Delete(viaFd, recursive: true);
    }

    private SafeFileHandle OpenDirectory(string path, bool create) =>
        TryOpenDirectory(path, create) ?? throw new ErrnoException(Errno.ENOENT, "open", Describe(path));

    private SafeFileHandle? TryOpenDirectory(string path, bool create)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return Dup(root);
        }

        return UsesOpenat2 ? OpenDirectoryOpenat2(parts, create) : OpenDirectoryWalker(parts, create);
    }

    private SafeFileHandle? OpenDirectoryOpenat2(string[] parts, bool create)
    {
        const ulong resolve = Interop.ResolveInRoot | Interop.ResolveNoMagicLinks;
        const int flags = Interop.OPath | Interop.ODirectory | Interop.OCloExec;
        string full = string.Join('/', parts);
        int fd = Interop.Openat2(root.Fd(), full, flags, 0, resolve);
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        int err = Errno.Last;
        if (err == Errno.EAGAIN)
        {
            fd = Interop.Openat2(root.Fd(), full, flags, 0, resolve);
            if (fd >= 0)
            {
                return new SafeFileHandle(fd, ownsHandle: true);
            }

            err = Errno.Last;
        }

        if (err != Errno.ENOENT)
        {
            throw new ErrnoException(err, "openat2", Describe(full));
        }

        if (!create)
        {
            return null;
        }

        // Build it one component at a time: each prefix is resolved inside the root again.
        SafeFileHandle current = Dup(root);
        for (int i = 0; i < parts.Length; i++)
        {
            string prefix = string.Join('/', parts, 0, i + 1);
            int next = Interop.Openat2(root.Fd(), prefix, flags, 0, resolve);
            if (next < 0 && Errno.Last == Errno.ENOENT)
            {
                if (Interop.Mkdirat(current.Fd(), parts[i], 0x1ED) < 0)
                {
                    int e = Errno.Last;
                    current.Dispose();
                    if (e == Errno.EEXIST)
                    {
                        // A dangling symlink: let the walker follow it (inside the root) and create its target.
                        return OpenDirectoryWalker(parts, create);
                    }

                    throw new ErrnoException(e, "mkdir", Describe(prefix));
                }

                next = Interop.Openat2(root.Fd(), prefix, flags, 0, resolve);
            }

            if (next < 0)
            {
                int e = Errno.Last;
                current.Dispose();
                throw new ErrnoException(e, "openat2", Describe(prefix));
            }

            current.Dispose();
            current = new SafeFileHandle(next, ownsHandle: true);
        }

        return current;
    }

    private SafeFileHandle? OpenDirectoryWalker(string[] parts, bool create)
    {
        var pending = new LinkedList<string>(parts);
        var stack = new Stack<SafeFileHandle>();
        SafeFileHandle current = Dup(root);
        int links = 0;
        string walked = string.Empty;
        try
        {
            while (pending.Count > 0)
            {
                string c = pending.First!.Value;
                pending.RemoveFirst();
                if (c.Length == 0 || c == ".")
                {
                    continue;
                }

                if (c == "..")
                {
                    if (stack.Count > 0)
                    {
                        current.Dispose();
                        current = stack.Pop();
                    }

                    continue;
                }

                walked = walked.Length == 0 ? c : walked + "/" + c;
                int r = Interop.Fstatat(current.Fd(), c, out var st, Interop.AtSymlinkNoFollow);
                if (r < 0)
                {
                    int e = Errno.Last;
                    if (e != Errno.ENOENT)
                    {
                        throw new ErrnoException(e, "lstat", Describe(walked));
                    }

                    if (!create)
                    {
                        return null;
                    }

                    Errno.ThrowIfFailed(Interop.Mkdirat(current.Fd(), c, 0x1ED), "mkdir", Describe(walked));
                    st.Mode = Interop.SIfDir;
                }

                if ((st.Mode & Interop.SIfMt) == Interop.SIfLnk)
                {
                    if (++links > MaxSymlinks)
                    {
                        throw new ErrnoException(Errno.ELOOP, "resolve", Describe(walked));
                    }

                    string target = Interop.Readlinkat(current.Fd(), c)
                        ?? throw new ErrnoException(Errno.Last, "readlink", Describe(walked));
                    if (target.StartsWith('/'))
                    {
                        while (stack.Count > 0)
                        {
                            current.Dispose();
                            current = stack.Pop();
                        }
                    }

                    var node = pending.First;
                    foreach (var t in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (node is null)
                        {
                            pending.AddLast(t);
                        }
                        else
                        {
                            pending.AddBefore(node, t);
                        }
                    }

                    continue;
                }

                if ((st.Mode & Interop.SIfMt) != Interop.SIfDir)
                {
                    throw new ErrnoException(Errno.ENOTDIR, "open", Describe(walked));
                }

                int fd = Interop.Openat(current.Fd(), c, Interop.OPath | Interop.ODirectory | Interop.ONoFollow | Interop.OCloExec, 0);
                Errno.ThrowIfFailed(fd, "open", Describe(walked));
                stack.Push(current);
                current = new SafeFileHandle(fd, ownsHandle: true);
            }

            var result = current;
            current = null!;
            return result;
        }
        finally
        {
            current?.Dispose();
            while (stack.Count > 0)
            {
                stack.Pop().Dispose();
            }
        }
    }

    private static SafeFileHandle Dup(SafeFileHandle handle)
    {
        int fd = Interop.Openat(handle.Fd(), ".", Interop.OPath | Interop.ODirectory | Interop.OCloExec, 0);
        Errno.ThrowIfFailed(fd, "open", ".");
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
