using System.Formats.Tar;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Containers.Archive;

/// <summary>
/// Writes a tree inside a container rootfs as a tar stream, walking by file descriptor: every child is reached
/// with fstatat/openat on its parent's descriptor and O_NOFOLLOW, symlinks are archived as symlinks (never
/// followed), regular files are read through the descriptor that was checked. Owners are shown as the container
/// sees them (host ids shifted back through the user-namespace mapping). Sockets are skipped (tar has no type
/// for them); repeated inodes become hard links.
/// </summary>
internal sealed class RootfsTarWriter(Stream output, ArchiveIdMap map, CancellationToken ct) : IDisposable
{
    private readonly TarWriter _writer = new(output, TarEntryFormat.Pax, leaveOpen: true);
    private readonly Dictionary<(ulong Dev, ulong Ino), string> _seen = [];
    private bool _shallow;

    /// <summary>Archives the object <paramref name="handle"/> holds (an O_PATH, O_NOFOLLOW handle) as <paramref name="name"/>.</summary>
    public void WriteTree(SafeFileHandle handle, string name) => Write(handle, RootedFileSystem.Fstat(handle), name);

    /// <summary>Archives only the object itself (a directory without its children): one entry of a layer diff.</summary>
    public void WriteEntry(SafeFileHandle handle, string name)
    {
        _shallow = true;
        try
        {
            Write(handle, RootedFileSystem.Fstat(handle), name);
        }
        finally
        {
            _shallow = false;
        }
    }

    /// <summary>An empty regular file entry, such as a layer's <c>.wh.</c> whiteout.</summary>
    public void WriteEmptyFile(string name) =>
        _writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = UnixFileMode.UserRead, ModificationTime = DateTimeOffset.UnixEpoch });

    /// <summary>Archives the children of a directory under <paramref name="prefix"/> ("" = no prefix).</summary>
    public void WriteChildren(SafeFileHandle dir, string prefix)
    {
        foreach (string child in RootedFileSystem.ListDirectory(dir))
        {
            ct.ThrowIfCancellationRequested();
            var lst = RootedFileSystem.TryLstatChild(dir, child);
            if (lst is null)
            {
                continue; // gone since the listing
            }

            int flags = (lst.Value.Mode & Interop.SIfMt) == Interop.SIfDir ? Interop.OPath | Interop.ODirectory : Interop.OPath;
            using var h = RootedFileSystem.TryOpenChild(dir, child, flags);
            if (h is null)
            {
                continue; // replaced or removed meanwhile
            }

            string name = prefix.Length == 0 ? child : prefix == "/" ? "/" + child : prefix + "/" + child;
            Write(h, RootedFileSystem.Fstat(h), name);
        }
    }

    public void Dispose() => _writer.Dispose();

    private void Write(SafeFileHandle h, Interop.Stat st, string name)
    {
        uint type = st.Mode & Interop.SIfMt;
        if (type == Interop.SIfSock)
        {
            return;
        }

        if (type != Interop.SIfDir && st.Nlink > 1)
        {
            if (_seen.TryGetValue((st.Dev, st.Ino), out string? first))
            {
                var link = NewEntry(TarEntryType.HardLink, name, st);
                link.LinkName = first;
                _writer.WriteEntry(link);
                return;
            }

            _seen[(st.Dev, st.Ino)] = name;
        }

        switch (type)
        {
            case Interop.SIfDir:
                _writer.WriteEntry(NewEntry(TarEntryType.Directory, name.EndsWith('/') ? name : name + "/", st));
                if (!_shallow)
                {
                    WriteChildren(h, name);
                }

                break;

            case Interop.SIfReg:
            {
                // Reopening the O_PATH descriptor through /proc reaches exactly the inode that was checked.
                int fd = Interop.Openat(Interop.AtFdCwd, "/proc/self/fd/" + h.Fd(),
                    Interop.ORdOnly | Interop.ONonBlock | Interop.ONoCtty | Interop.OCloExec, 0);
                Errno.ThrowIfFailed(fd, "open", name);
                var readable = new SafeFileHandle(fd, ownsHandle: true);
                var entry = NewEntry(TarEntryType.RegularFile, name, st);
                using var data = new FixedLengthReadStream(new FileStream(readable, FileAccess.Read, 1 << 16), st.Size);
                entry.DataStream = data;
                _writer.WriteEntry(entry);
                break;
            }

            case Interop.SIfLnk:
            {
                var entry = NewEntry(TarEntryType.SymbolicLink, name, st);
                entry.LinkName = Interop.Readlinkat(h.Fd(), string.Empty) ?? throw new ErrnoException(Errno.Last, "readlink", name);
                _writer.WriteEntry(entry);
                break;
            }

            case Interop.SIfIfo:
                _writer.WriteEntry(NewEntry(TarEntryType.Fifo, name, st));
                break;

            case Interop.SIfChr or Interop.SIfBlk:
            {
                var entry = NewEntry(type == Interop.SIfChr ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, name, st);
                entry.DeviceMajor = (int)(((st.Rdev >> 8) & 0xFFF) | ((st.Rdev >> 32) & ~0xFFFul));
                entry.DeviceMinor = (int)((st.Rdev & 0xFF) | ((st.Rdev >> 12) & ~0xFFul));
                _writer.WriteEntry(entry);
                break;
            }
        }
    }

    private PaxTarEntry NewEntry(TarEntryType type, string name, Interop.Stat st) => new(type, name)
    {
        Mode = (UnixFileMode)(st.Mode & 0xFFF),
        Uid = map.ToContainerUid(st.Uid),
        Gid = map.ToContainerGid(st.Gid),
        ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSec).AddTicks(st.MtimeNsec / 100),
    };
}
