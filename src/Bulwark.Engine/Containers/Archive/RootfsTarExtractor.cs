using System.Formats.Tar;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Layers;
using Bulwark.Native;

namespace Bulwark.Engine.Containers.Archive;

/// <summary>
/// Extracts a <c>docker cp</c> archive under a directory of a container rootfs. Every entry is written through
/// <see cref="RootedFileSystem"/>: its parent is resolved inside the rootfs by descriptor (openat2
/// RESOLVE_IN_ROOT), the final component is created with O_EXCL|O_NOFOLLOW / symlinkat / mkdirat and never
/// followed, so neither the archive nor the container (swapping a component for a symlink while we write) can
/// reach a path outside the rootfs. Entries may not climb above the destination with "..". Device nodes are
/// refused; xattrs are not restored. Owners: the container's root unless <see cref="ExtractOptions.CopyUidGid"/>.
/// </summary>
internal static class RootfsTarExtractor
{
    /// <param name="destination">The destination directory, root-relative ("" = the rootfs root).</param>
    /// <param name="shownDestination">The destination as the user named it, for messages.</param>
    public static void Extract(RootedFileSystem fs, string destination, string shownDestination, Stream tar,
        ExtractOptions options, ArchiveIdMap map, CancellationToken ct)
    {
        var directories = new List<(string Path, DateTimeOffset MTime)>();
        string current = "(start of archive)";
        try
        {
            using var reader = new TarReader(tar, leaveOpen: true);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                ct.ThrowIfCancellationRequested();
                current = entry.Name;
                ApplyEntry(fs, destination, shownDestination, entry, options, map, directories);
            }

            for (int i = directories.Count - 1; i >= 0; i--)
            {
                var (path, mtime) = directories[i];
                if (fs.Lstat(path) is { } st && (st.Mode & Interop.SIfMt) == Interop.SIfDir)
                {
                    fs.SetTimes(path, mtime);
                }
            }
        }
        catch (EngineException)
        {
            throw;
        }
        catch (ErrnoException ex)
        {
            throw EngineException.Invalid($"extracting {current} to {shownDestination}: {ex.Call} failed (errno {ex.Errno})");
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            throw EngineException.Invalid($"extracting to {shownDestination}: corrupt tar after {current}: {ex.Message}");
        }
    }

    private static void ApplyEntry(RootedFileSystem fs, string destination, string shown, TarEntry entry,
        ExtractOptions options, ArchiveIdMap map, List<(string Path, DateTimeOffset MTime)> directories)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
        {
            return;
        }

        if (entry.Name.Contains('\0', StringComparison.Ordinal))
        {
            throw EngineException.Invalid($"archive entry {entry.Name}: path contains a NUL byte");
        }

        string rel = LayerApplier.CleanPath(entry.Name)
            ?? throw EngineException.Invalid($"archive entry {entry.Name}: climbs above the destination {shown} with \"..\"");
        if (rel.Length == 0)
        {
            return; // the destination itself: left as it is
        }

        string path = destination.Length == 0 ? rel : destination + "/" + rel;
        string shownPath = "/" + path;
        bool isDir = entry.EntryType == TarEntryType.Directory;
        var existing = fs.Lstat(path);
        if (existing is { } ex && options.NoOverwriteDirNonDir)
        {
            bool existingDir = (ex.Mode & Interop.SIfMt) == Interop.SIfDir;
            if (existingDir && !isDir)
            {
                throw EngineException.Invalid($"cannot overwrite directory \"{shownPath}\" with non-directory \"{entry.Name}\"");
            }

            if (!existingDir && isDir)
            {
                throw EngineException.Invalid($"cannot overwrite non-directory \"{shownPath}\" with directory \"{entry.Name}\"");
            }
        }

        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                fs.EnsureDirectory(path, (uint)entry.Mode);
                directories.Add((path, entry.ModificationTime));
                break;

            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                using (var handle = fs.CreateFile(path))
                using (var file = new FileStream(handle, FileAccess.Write, 1 << 16))
                {
                    entry.DataStream?.CopyTo(file);
                }

                break;

            case TarEntryType.SymbolicLink:
                if (string.IsNullOrEmpty(entry.LinkName))
                {
                    throw EngineException.Invalid($"archive entry {entry.Name}: symlink with an empty target");
                }

                fs.CreateSymlink(path, entry.LinkName);
                break;

            case TarEntryType.HardLink:
            {
                string target = LayerApplier.CleanPath(entry.LinkName) is { Length: > 0 } t
                    ? (destination.Length == 0 ? t : destination + "/" + t)
                    : throw EngineException.Invalid($"archive entry {entry.Name}: hard link target \"{entry.LinkName}\" is outside the archive");
                fs.CreateHardlink(path, target);
                return; // a hard link shares its target's owner and mode
            }

            case TarEntryType.Fifo:
            {
                int err = fs.TryMknod(path, Interop.SIfIfo | ((uint)entry.Mode & 0xFFF), 0);
                if (err != 0)
                {
                    throw new ErrnoException(err, "mknod", shownPath);
                }

                break;
            }

            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                throw EngineException.Invalid($"archive entry {entry.Name}: device nodes cannot be copied into a container");

            default:
                throw EngineException.Invalid($"archive entry {entry.Name}: unsupported tar entry type {entry.EntryType}");
        }

        uint uid = options.CopyUidGid ? map.ToHostUid(entry.Uid) : map.ToHostUid(0);
        uint gid = options.CopyUidGid ? map.ToHostGid(entry.Gid) : map.ToHostGid(0);
        fs.Lchown(path, uid, gid);
        if (entry.EntryType != TarEntryType.SymbolicLink)
        {
            fs.Chmod(path, (uint)entry.Mode); // after chown, which clears setuid/setgid
        }

        if (!isDir)
        {
            fs.SetTimes(path, entry.ModificationTime);
        }
    }
}
