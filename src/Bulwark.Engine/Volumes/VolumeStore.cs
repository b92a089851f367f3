using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Volumes;

/// <summary>
/// <c>&lt;data-root&gt;/volumes/&lt;name&gt;/{volume.json,_data/}</c>. A volume is built complete in a staging
/// directory (<c>.new-*</c>: metadata written and fsynced, <c>_data</c> owned by the container root) and renamed into
/// place, so a crash leaves either no volume or a whole one; removal renames it to <c>.trash-*</c> first. Names never
/// start with '.', so the staging and trash directories cannot collide with a volume and are garbage by construction.
/// With a user-namespace mapping, <c>volumes/</c> and each volume directory are root:&lt;mapped gid&gt; 0710: the
/// remapped root (which performs runc's bind mounts) can pass through, nobody else can.
/// </summary>
internal sealed class VolumeStore
{
    public const string MetadataFile = "volume.json";
    public const string DataDirName = "_data";
    private const string StagingPrefix = ".new-";
    private const string TrashPrefix = ".trash-";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerAndGroupTraverse = OwnerOnly | UnixFileMode.GroupExecute;
    private const UnixFileMode DataMode = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly IdMapping? _map;

    public VolumeStore(string dataRoot, IdMapping? map)
    {
        _map = map;
        Root = Path.Combine(dataRoot, "volumes");
        Directory.CreateDirectory(Root);
        SecureDirectory(Root);
    }

    public string Root { get; }

    public string DataPath(string name) => Path.Combine(Root, name, DataDirName);

    /// <summary>
    /// A volume made while remapping was off has a host-root-owned <c>_data</c> the remapped root cannot write: while it
    /// is still empty, it is handed to the mapped root at its first use (a volume with content keeps its owners).
    /// </summary>
    public void AdoptIfEmpty(string name)
    {
        if (_map is null)
        {
            return;
        }

        string data = DataPath(name);
        if (Interop.Fstatat(Interop.AtFdCwd, data, out var st, Interop.AtSymlinkNoFollow) != 0
            || (st.Mode & Interop.SIfMt) != Interop.SIfDir || st.Uid != 0 || st.Gid != 0
            || Directory.EnumerateFileSystemEntries(data).Any())
        {
            return;
        }

        Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, data, _map.HostUid, _map.HostGid, Interop.AtSymlinkNoFollow), "chown", data);
    }

    /// <summary>Whether volumes made by this store hold container ids (no shift map): their records say so.</summary>
    public bool StoresUnshifted => _map is null;

    /// <summary>
    /// Converts a volume an older version stored shifted into <paramref name="shifted"/> (owners 100000+) to container
    /// ids, then records that in its metadata (replaced atomically), so it is done once. Ids outside the range stay.
    /// Returns the updated record and how many entries changed owner. The caller makes sure no container uses it.
    /// </summary>
    public (VolumeRecord Record, int Changed) Unshift(VolumeRecord record, IdMapping shifted, CancellationToken ct)
    {
        string data = DataPath(record.Name);
        int changed = Directory.Exists(data)
            ? Snapshots.IdShiftedLayers.Rewrite(data, shifted.ToContainerUid, shifted.ToContainerGid, ct)
            : 0;
        var updated = record with { OwnersUnshifted = true };
        WriteMetadata(Path.Combine(Root, record.Name), updated);
        return (updated, changed);
    }

    private static void WriteMetadata(string volumeDir, VolumeRecord record)
    {
        string meta = Path.Combine(volumeDir, MetadataFile);
        string tmp = meta + ".tmp";
        using (var stream = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, record, VolumeJsonContext.Default.VolumeRecord);
            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, meta, overwrite: true);
        FsyncDirectory(volumeDir);
    }

    /// <summary>Staging and trash directories a crash left behind: removed at start (nothing references them).</summary>
    public IReadOnlyList<string> RemoveLeftovers()
    {
        var removed = new List<string>();
        using var fs = new RootedFileSystem(Root);
        foreach (string dir in Directory.EnumerateDirectories(Root))
        {
            string name = Path.GetFileName(dir);
            if (name.StartsWith(StagingPrefix, StringComparison.Ordinal) || name.StartsWith(TrashPrefix, StringComparison.Ordinal))
            {
                fs.Remove(name);
                removed.Add(name);
            }
        }

        return removed;
    }

    /// <summary>Every volume with readable metadata; the names of directories without it are returned separately.</summary>
    public (List<VolumeRecord> Records, List<string> Unreadable) LoadAll()
    {
        var records = new List<VolumeRecord>();
        var unreadable = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories(Root))
        {
            string name = Path.GetFileName(dir);
            if (!VolumeName.IsValid(name))
            {
                continue;
            }

            try
            {
                using var stream = File.OpenRead(Path.Combine(dir, MetadataFile));
                var record = JsonSerializer.Deserialize(stream, VolumeJsonContext.Default.VolumeRecord);
                if (record is not null && record.Name == name)
                {
                    SecureDirectory(dir);
                    records.Add(record);
                    continue;
                }
            }
            catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
            {
                // reported below
            }

            unreadable.Add(name);
        }

        return (records, unreadable);
    }

    /// <summary>Creates the volume's directories and metadata; false when a volume of that name already exists.</summary>
    public bool TryCreate(VolumeRecord record)
    {
        string final = Path.Combine(Root, record.Name);
        if (Directory.Exists(final))
        {
            return false;
        }

        string staging = Path.Combine(Root, StagingPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(staging, OwnerOnly);
        try
        {
            string data = Path.Combine(staging, DataDirName);
            Directory.CreateDirectory(data, DataMode);
            File.SetUnixFileMode(data, DataMode); // the umask may have narrowed it
            uint uid = _map?.HostUid ?? 0;
            uint gid = _map?.HostGid ?? 0;
            Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, data, uid, gid, Interop.AtSymlinkNoFollow), "chown", data);

            string meta = Path.Combine(staging, MetadataFile);
            using (var stream = new FileStream(meta, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                JsonSerializer.Serialize(stream, record, VolumeJsonContext.Default.VolumeRecord);
                stream.Flush(flushToDisk: true);
            }

            SecureDirectory(staging);
            FsyncDirectory(staging);
            Directory.Move(staging, final);
            FsyncDirectory(Root);
            return true;
        }
        catch
        {
            using var fs = new RootedFileSystem(Root);
            fs.Remove(Path.GetFileName(staging));
            throw;
        }
    }

    /// <summary>Takes the volume out of its name at once (one rename); returns the trash directory for <see cref="Purge"/>.</summary>
    public string Detach(string name)
    {
        string trash = TrashPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        Directory.Move(Path.Combine(Root, name), Path.Combine(Root, trash));
        FsyncDirectory(Root);
        return trash;
    }

    /// <summary>Deletes a detached volume's tree without following any symlink in it.</summary>
    public void Purge(string trash)
    {
        using var fs = new RootedFileSystem(Root);
        fs.Remove(trash);
    }

    /// <summary>Bytes of a volume's data as Docker counts them: apparent sizes of non-directories, each inode once, symlinks not followed.</summary>
    public long SizeOf(string name)
    {
        string data = DataPath(name);
        if (!Directory.Exists(data))
        {
            return 0;
        }

        using var fs = new RootedFileSystem(data);
        using var root = fs.TryOpenPath(string.Empty, followFinal: false);
        var seen = new HashSet<(ulong, ulong)>();
        return root is null ? 0 : SizeOf(root, seen, 0);
    }

    private static long SizeOf(SafeFileHandle dir, HashSet<(ulong, ulong)> seen, int depth)
    {
        long total = 0;
        if (depth > 256)
        {
            return total;
        }

        foreach (string child in RootedFileSystem.ListDirectory(dir))
        {
            if (RootedFileSystem.TryLstatChild(dir, child) is not { } st || !seen.Add((st.Dev, st.Ino)))
            {
                continue;
            }

            if ((st.Mode & Interop.SIfMt) != Interop.SIfDir)
            {
                total += st.Size;
            }
            else
            {
                using var sub = RootedFileSystem.TryOpenChild(dir, child, Interop.OPath | Interop.ODirectory);
                if (sub is not null)
                {
                    total += SizeOf(sub, seen, depth + 1);
                }
            }
        }

        return total;
    }

    private void SecureDirectory(string dir)
    {
        uint gid = _map?.HostGid ?? 0;
        Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, dir, 0, gid, Interop.AtSymlinkNoFollow), "chown", dir);
        File.SetUnixFileMode(dir, _map is null ? OwnerOnly : OwnerAndGroupTraverse);
    }

    private static void FsyncDirectory(string dir)
    {
        int fd = Interop.Openat(Interop.AtFdCwd, dir, Interop.ORdOnly | Interop.ODirectory | Interop.OCloExec, 0);
        Errno.ThrowIfFailed(fd, "open", dir);
        using var h = new SafeFileHandle(fd, ownsHandle: true);
        Errno.ThrowIfFailed(Interop.Fsync(fd), "fsync", dir);
    }
}
