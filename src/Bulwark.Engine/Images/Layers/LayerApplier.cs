using System.Formats.Tar;
using System.Text;
using Bulwark.Engine.Errors;
using Bulwark.Native;

namespace Bulwark.Engine.Images.Layers;

/// <summary>
/// Unpacks one layer tar (gzip, zstd or plain, detected by magic bytes) into a snapshot directory.
/// Every path is resolved inside that directory by file descriptor (<see cref="RootedFileSystem"/>):
/// leading "/" is stripped, ".." may not climb above the root, a symlink met in a directory component
/// resolves inside the root (never outside), a final component is never followed. Whiteouts are recorded
/// in overlayfs form (see <see cref="Whiteouts"/>).
/// Policy: character and block devices are refused; fifos are allowed; hardlink targets must already
/// exist in this layer; xattrs kept are user.* and security.capability (trusted.*, other security.*
/// labels and system.* ACLs are dropped); modes, setuid/setgid/sticky, owners and mtimes are kept.
/// A refusal is EngineException(InvalidArgument, "layer &lt;name&gt;: &lt;entry&gt;: &lt;cause&gt;").
/// </summary>
public static class LayerApplier
{
    public const int MaxPathLength = 4096;
    public const int MaxComponentLength = 255;

    /// <summary>Unpacks <paramref name="layer"/> into the existing directory <paramref name="targetDir"/>.</summary>
    /// <param name="layer">The layer blob; consumed and disposed.</param>
    /// <param name="targetDir">An empty directory that becomes the snapshot.</param>
    /// <param name="layerName">Names the layer in errors (usually its digest).</param>
    /// <param name="allowOpenat2">False forces the O_NOFOLLOW walker (tests).</param>
    public static LayerApplyResult Apply(Stream layer, string targetDir, string layerName, CancellationToken ct,
        bool allowOpenat2 = true)
    {
        using var fs = new RootedFileSystem(targetDir, allowOpenat2);
        Stream decompressed;
        LayerCompression compression;
        try
        {
            decompressed = LayerStreams.OpenDecompressed(layer, $"layer {layerName}", out compression);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            throw EngineException.Invalid($"layer {layerName}: unreadable: {ex.Message}");
        }

        using var hashing = new HashingReadStream(decompressed);
        long size = 0;
        var directories = new List<(string Path, DateTimeOffset MTime)>();
        string current = "(start of archive)";
        try
        {
            using var reader = new TarReader(hashing, leaveOpen: true);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                ct.ThrowIfCancellationRequested();
                current = Truncate(entry.Name);
                size += ApplyEntry(fs, entry, layerName, directories);
            }

            var diffId = hashing.Finish();
            for (int i = directories.Count - 1; i >= 0; i--)
            {
                var (path, mtime) = directories[i];
                if (fs.Lstat(path) is { } st && (st.Mode & Interop.SIfMt) == Interop.SIfDir)
                {
                    fs.SetTimes(path, mtime);
                }
            }

            fs.SyncFilesystem();
            return new LayerApplyResult(diffId, size, compression);
        }
        catch (EngineException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (IOException ex) when (DiskFull.Is(ex))
        {
            // The unpack directory is removed by the caller; the error names where the space ran out.
            throw DiskFull.Error($"layer {layerName}", Path.GetDirectoryName(targetDir) ?? targetDir, ex);
        }
        catch (ErrnoException ex)
        {
            throw Refuse(layerName, current, Cause(ex));
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException
            or ArgumentException or ZstdSharp.ZstdException or InvalidOperationException)
        {
            string kind = compression switch
            {
                LayerCompression.Gzip => "corrupt tar.gz",
                LayerCompression.Zstd => "corrupt tar.zst",
                _ => "corrupt tar",
            };
            throw EngineException.Invalid($"layer {layerName}: {kind} after {current}: {ex.Message}");
        }
        catch (IOException ex)
        {
            throw new EngineException(ErrorKind.Internal, $"layer {layerName}: {current}: {ex.Message}", ex);
        }
    }

    /// <summary>Cleans an archive path: strips leading "/", resolves "." and ".."; null when it climbs above the root.</summary>
    public static string? CleanPath(string name)
    {
        var parts = new List<string>();
        foreach (var c in name.Split('/'))
        {
            if (c.Length == 0 || c == ".")
            {
                continue;
            }

            if (c == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(c);
        }

        return string.Join('/', parts);
    }

    private static long ApplyEntry(RootedFileSystem fs, TarEntry entry, string layerName,
        List<(string Path, DateTimeOffset MTime)> directories)
    {
        string name = entry.Name;
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
        {
            return 0;
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxPathLength)
        {
            throw Refuse(layerName, Truncate(name), $"path longer than {MaxPathLength} bytes");
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Refuse(layerName, Truncate(name), "path contains a NUL byte");
        }

        string path = CleanPath(name) ?? throw Refuse(layerName, name, "path escapes the layer root with \"..\"");
        foreach (var c in path.Split('/'))
        {
            if (Encoding.UTF8.GetByteCount(c) > MaxComponentLength)
            {
                throw Refuse(layerName, Truncate(name), $"path component longer than {MaxComponentLength} bytes");
            }
        }

        int slash = path.LastIndexOf('/');
        string parent = slash < 0 ? string.Empty : path[..slash];
        string leaf = slash < 0 ? path : path[(slash + 1)..];

        if (leaf.StartsWith(Whiteouts.Prefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(fs, parent, leaf, layerName, name);
            return 0;
        }

        if (path.Length == 0)
        {
            if (entry.EntryType == TarEntryType.Directory)
            {
                ApplyMetadata(fs, path, entry, layerName);
                directories.Add((path, entry.ModificationTime));
                return 0;
            }

            throw Refuse(layerName, name, "the layer root must be a directory");
        }

        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                fs.EnsureDirectory(path, (uint)entry.Mode);
                ApplyMetadata(fs, path, entry, layerName);
                directories.Add((path, entry.ModificationTime));
                return 0;

            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
            {
                long written = 0;
                using (var handle = fs.CreateFile(path))
                using (var file = new FileStream(handle, FileAccess.Write, 1 << 16))
                {
                    if (entry.DataStream is { } data)
                    {
                        data.CopyTo(file);
                        written = file.Length;
                    }
                }

                ApplyMetadata(fs, path, entry, layerName);
                return written;
            }

            case TarEntryType.SymbolicLink:
                if (string.IsNullOrEmpty(entry.LinkName))
                {
                    throw Refuse(layerName, name, "symlink with an empty target");
                }

                fs.CreateSymlink(path, entry.LinkName);
                ApplyMetadata(fs, path, entry, layerName);
                return 0;

            case TarEntryType.HardLink:
            {
                string target = CleanPath(entry.LinkName)
                    ?? throw Refuse(layerName, name, $"hardlink target \"{entry.LinkName}\" escapes the layer root");
                if (target.Length == 0)
                {
                    throw Refuse(layerName, name, "hardlink to the layer root");
                }

                try
                {
                    fs.CreateHardlink(path, target);
                }
                catch (ErrnoException ex) when (ex.Errno is Errno.ENOENT or Errno.ENOTDIR or Errno.ELOOP)
                {
                    throw Refuse(layerName, name, $"hardlink target \"{entry.LinkName}\" is not a file in this layer");
                }
                catch (ErrnoException ex) when (ex.Errno == Errno.EISDIR)
                {
                    throw Refuse(layerName, name, $"hardlink target \"{entry.LinkName}\" is a directory");
                }

                return 0;
            }

            case TarEntryType.Fifo:
            {
                int err = fs.TryMknod(path, Interop.SIfIfo | ((uint)entry.Mode & 0xFFF), 0);
                if (err != 0)
                {
                    throw new ErrnoException(err, "mknod", path);
                }

                ApplyMetadata(fs, path, entry, layerName);
                return 0;
            }

            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
            {
                string kind = entry.EntryType == TarEntryType.CharacterDevice ? "character" : "block";
                string numbers = entry is PosixTarEntry posix ? $" {posix.DeviceMajor}:{posix.DeviceMinor}" : string.Empty;
                throw Refuse(layerName, name, $"{kind} device{numbers} refused: device nodes are not allowed in layers");
            }

            default:
                throw Refuse(layerName, name, $"unsupported tar entry type {entry.EntryType}");
        }
    }

    private static void ApplyWhiteout(RootedFileSystem fs, string parent, string leaf, string layerName, string name)
    {
        if (leaf == Whiteouts.OpaqueMarker)
        {
            fs.EnsureDirectory(parent, 0x1ED);
            if (fs.TrySetXattr(parent, Whiteouts.OpaqueXattr, "y"u8) != 0
                && fs.TrySetXattr(parent, Whiteouts.UserOpaqueXattr, "y"u8) is int e and not 0)
            {
                throw new ErrnoException(e, "setxattr", parent);
            }

            return;
        }

        if (leaf.StartsWith(Whiteouts.MetaPrefix, StringComparison.Ordinal))
        {
            return; // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): nothing to record
        }

        string hidden = leaf[Whiteouts.Prefix.Length..];
        if (hidden.Length == 0 || hidden == "." || hidden == "..")
        {
            throw Refuse(layerName, name, "whiteout without a name");
        }

        string target = parent.Length == 0 ? hidden : parent + "/" + hidden;
        int err = fs.TryMknod(target, Interop.SIfChr, Interop.MakeDev(0, 0));
        if (err == 0)
        {
            return;
        }

        if (err is not (Errno.EPERM or Errno.EACCES or Errno.EOPNOTSUPP))
        {
            throw new ErrnoException(err, "mknod", target);
        }

        // No CAP_MKNOD: record the whiteout as an xattr-marked empty file.
        fs.CreateFile(target).Dispose();
        if (fs.TrySetXattr(target, Whiteouts.WhiteoutXattr, "y"u8) == 0)
        {
            fs.TrySetXattr(parent, Whiteouts.ParentHasWhiteoutsXattr, "y"u8);
            return;
        }

        int e2 = fs.TrySetXattr(target, Whiteouts.UserWhiteoutXattr, "y"u8);
        if (e2 != 0)
        {
            throw new ErrnoException(e2, "setxattr", target);
        }

        fs.TrySetXattr(parent, Whiteouts.UserParentHasWhiteoutsXattr, "y"u8);
    }

    private static void ApplyMetadata(RootedFileSystem fs, string path, TarEntry entry, string layerName)
    {
        fs.Lchown(path, (uint)entry.Uid, (uint)entry.Gid);
        if (entry.EntryType != TarEntryType.SymbolicLink)
        {
            // after chown: chown clears setuid/setgid, chmod puts them back as the tar says
            fs.Chmod(path, (uint)entry.Mode);
            if (entry is PaxTarEntry pax)
            {
                foreach (var (key, value) in pax.ExtendedAttributes)
                {
                    if (!key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    string attr = key["SCHILY.xattr.".Length..];
                    if (!IsKeptXattr(attr))
                    {
                        continue;
                    }

                    // PAX values reach us as strings; binary values that were not valid UTF-8 cannot be restored.
                    if (value.Contains('\uFFFD', StringComparison.Ordinal))
                    {
                        continue;
                    }

                    int err = fs.TrySetXattr(path, attr, Encoding.UTF8.GetBytes(value));
                    if (err is not 0 and not Errno.EOPNOTSUPP)
                    {
                        throw Refuse(layerName, entry.Name, $"cannot set xattr {attr} (errno {err})");
                    }
                }
            }
        }

        if (entry.EntryType != TarEntryType.Directory)
        {
            fs.SetTimes(path, entry.ModificationTime);
        }
    }

    /// <summary>The xattr policy: user.* and security.capability are kept; everything else is dropped.</summary>
    public static bool IsKeptXattr(string name) =>
        name.StartsWith("user.", StringComparison.Ordinal) || name == "security.capability";

    private static EngineException Refuse(string layerName, string entry, string cause) =>
        EngineException.Invalid($"layer {layerName}: {entry}: {cause}");

    private static string Cause(ErrnoException ex) => ex.Errno switch
    {
        Errno.ENOTDIR => "a parent path component is not a directory",
        Errno.ENOENT => "a parent path component is missing or a dangling symlink",
        Errno.ELOOP => "too many levels of symbolic links",
        Errno.EEXIST => "path already exists and cannot be replaced",
        Errno.ENAMETOOLONG => "path too long",
        Errno.ENOSPC => "no space left on the data root",
        _ => $"{ex.Call} failed (errno {ex.Errno})",
    };

    private static string Truncate(string name) => name.Length > 200 ? name[..200] + "…" : name;
}
