using Bulwark.Engine.Containers.Archive;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Snapshots;
using Bulwark.Native;

namespace Bulwark.Engine.Containers.Filesystem;

/// <summary>
/// docker cp (stat, archive, extract), export and diff. Every path inside the rootfs is resolved by descriptor
/// inside it (<see cref="RootedFileSystem"/>): no string path under the rootfs is ever handed to the host's own
/// resolution, so a symlink the container plants or swaps in (CVE-2018-15664) resolves inside the rootfs.
/// The rootfs of a stopped container is mounted for the operation and unmounted after it, under the container's
/// gate so a concurrent start waits. Bind mounts and tmpfs live in the container's mount namespace and are not
/// visible here: paths under their destinations are refused with an error that says so. Paths under a volume's
/// destination are served from the volume's <c>_data</c> instead, rooted there (its symlinks resolve inside the volume).
/// </summary>
internal sealed class ContainerFilesystem(ContainerIndex index, ContainerLayout layout, SnapshotService snapshots, ContainerEvents events)
{
    /// <summary>HEAD /containers/{id}/archive: what <paramref name="path"/> is (its final symlink is not followed
    /// unless the path ends in "/" or "/.").</summary>
    public Task<ContainerPathStat> StatPathAsync(string reference, string path, CancellationToken ct) =>
        WithRootfsAsync(reference, (r, rootfs) =>
        {
            var (_, follow) = ParseContainerPath(path);
            using var target = CopyTarget.For(r, rootfs, path);
            using var h = OpenForCopy(r, target, reference, path, follow);
            return Task.FromResult(Stat(target, h));
        }, ct);

    /// <summary>
    /// GET /containers/{id}/archive: calls <paramref name="begin"/> with the path's stat (to send the response head)
    /// and writes a tar of the path to the stream it returns.
    /// </summary>
    public Task ArchivePathAsync(string reference, string path, Func<ContainerPathStat, CancellationToken, Task<Stream>> begin,
        CancellationToken ct) =>
        WithRootfsAsync(reference, async (r, rootfs) =>
        {
            var (_, follow) = ParseContainerPath(path);
            using var target = CopyTarget.For(r, rootfs, path);
            using var h = OpenForCopy(r, target, reference, path, follow);
            var stat = Stat(target, h);
            var output = await begin(stat, ct).ConfigureAwait(false);
            events.Publish(r, "archive-path");
            await Task.Run(() =>
            {
                using var tar = new RootfsTarWriter(output, IdMapOf(r, target), ct);
                tar.WriteTree(h, stat.Name);
            }, ct).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>PUT /containers/{id}/archive: extracts <paramref name="archive"/> under the directory <paramref name="path"/>
    /// (a final symlink is followed, inside the rootfs).</summary>
    public Task ExtractToDirAsync(string reference, string path, Stream archive, ExtractOptions options, CancellationToken ct) =>
        WithRootfsAsync(reference, async (r, rootfs) =>
        {
            ParseContainerPath(path);
            using var target = CopyTarget.For(r, rootfs, path);
            var fs = target.Fs;
            using var h = fs.TryOpenPath(target.Rel, followFinal: true)
                ?? throw EngineException.NotFound($"Could not find the file {path} in container {reference}");
            if ((RootedFileSystem.Fstat(h).Mode & Interop.SIfMt) != Interop.SIfDir)
            {
                throw EngineException.Invalid($"extraction point is not a directory: {path} in container {reference}");
            }

            string resolved = fs.PathOf(h) ?? target.Rel;
            if (target.Volume is { } volume)
            {
                if (volume.ReadOnly)
                {
                    throw new EngineException(ErrorKind.Forbidden,
                        $"mounted volume is marked read-only: cannot copy to {path} in container {reference} (volume {volume.Name} at {volume.Destination})");
                }
            }
            else
            {
                CheckNotOnMount(r, "/" + resolved, path);
                if (r.Spec.Storage.ReadOnlyRootfs)
                {
                    throw new EngineException(ErrorKind.Forbidden, $"container rootfs is marked read-only: cannot copy to {path} in container {reference}");
                }
            }

            // Synchronous tar reading on the request stream: run it off the connection's thread.
            await Task.Run(() => RootfsTarExtractor.Extract(fs, resolved, path, archive, options, IdMapOf(r, target), ct), ct)
                .ConfigureAwait(false);
            events.Publish(r, "extract-to-dir");
            return true;
        }, ct);

    /// <summary>How owners on disk relate to the container's ids: a volume mounted idmapped stores them unshifted.</summary>
    private static ArchiveIdMap IdMapOf(ContainerRecord r, CopyTarget target) =>
        target.Volume is { } v && r.IdmappedSources.Contains(v.Source) ? ArchiveIdMap.Identity : ArchiveIdMap.FromProfile(r.Profile);

    /// <summary>GET /containers/{id}/export: the whole rootfs as a tar (owners as the container sees them).</summary>
    public Task ExportAsync(string reference, Func<CancellationToken, Task<Stream>> begin, CancellationToken ct) =>
        WithRootfsAsync(reference, async (r, fs) =>
        {
            using var h = fs.TryOpenPath(string.Empty, followFinal: false)!;
            var output = await begin(ct).ConfigureAwait(false);
            events.Publish(r, "export");
            await Task.Run(() =>
            {
                using var tar = new RootfsTarWriter(output, ArchiveIdMap.FromProfile(r.Profile), ct);
                tar.WriteChildren(h, string.Empty);
            }, ct).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>GET /containers/{id}/changes: what the container changed relative to its image (overlay snapshots only).</summary>
    public IReadOnlyList<ContainerChange> Changes(string reference, CancellationToken ct)
    {
        var r = index.Find(reference).Record;
        if (snapshots.Driver != SnapshotService.OverlayDriver)
        {
            throw new EngineException(ErrorKind.NotImplemented,
                $"container {r.Id}: changes need the overlay snapshotter; this daemon uses \"{snapshots.Driver}\"");
        }

        string upper = Path.Combine(layout.DirectoryOf(r.Id), "upper");
        if (!Directory.Exists(upper))
        {
            throw EngineException.Conflict($"container {r.Id}: its writable layer is missing");
        }

        return OverlayChanges.Compute(upper, r.LayerDirs, MountPoints(r), ct);
    }

    /// <summary><c>docker commit</c>: the container's changes as a layer tar (whiteouts for deletions); the caller pauses it.</summary>
    public Task WriteDiffAsync(string reference, Stream output, CancellationToken ct)
    {
        var r = index.Find(reference).Record;
        var changes = Changes(reference, ct);
        string upper = Path.Combine(layout.DirectoryOf(r.Id), "upper");
        return Task.Run(() => ContainerDiffWriter.Write(upper, changes, ArchiveIdMap.FromProfile(r.Profile), output, ct), ct);
    }

    /// <summary>The mount destinations the runtime creates in the rootfs; not user changes (docker keeps them in its init layer).</summary>
    private static HashSet<string> MountPoints(ContainerRecord r)
    {
        var set = new HashSet<string>(StringComparer.Ordinal)
        {
            "/proc", "/sys", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/console",
            "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/sys/fs/cgroup",
        };
        foreach (var b in r.Spec.Storage.Binds)
        {
            set.Add("/" + RootedFileSystem.Clean(b.Destination));
        }

        foreach (var t in r.Spec.Storage.Tmpfs.Keys)
        {
            set.Add("/" + RootedFileSystem.Clean(t));
        }

        foreach (var v in r.Volumes)
        {
            set.Add("/" + RootedFileSystem.Clean(v.Destination));
        }

        return set;
    }

    private async Task<T> WithRootfsAsync<T>(string reference, Func<ContainerRecord, RootedFileSystem, Task<T>> body, CancellationToken ct)
    {
        var entry = index.Find(reference);
        using (await entry.LockAsync(ct).ConfigureAwait(false))
        {
            var r = entry.Record;
            if (r.State is ContainerState.Removing or ContainerState.Dead || entry.Forgotten)
            {
                throw EngineException.Conflict($"container {r.Id} is marked for removal");
            }

            string dir = layout.DirectoryOf(r.Id);
            string rootfs = SnapshotService.RootfsPath(dir);
            bool mountedHere = false;
            if (snapshots.Driver == SnapshotService.OverlayDriver && !SnapshotService.IsMounted(rootfs))
            {
                snapshots.Mount(dir, r.LayerDirs, r.LayerIdMap);
                mountedHere = true;
            }

            try
            {
                using var fs = new RootedFileSystem(rootfs);
                return await body(r, fs).ConfigureAwait(false);
            }
            catch (ErrnoException ex)
            {
                throw new EngineException(ErrorKind.Internal, $"container {r.Id}: {ex.Message}", ex);
            }
            finally
            {
                if (mountedHere)
                {
                    snapshots.Unmount(dir);
                }
            }
        }
    }

    /// <summary>"/a/b/" → ("a/b", follow final symlink); relative paths are taken from "/".</summary>
    private static (string Rel, bool FollowFinal) ParseContainerPath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw EngineException.Invalid("path is required");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw EngineException.Invalid("path contains a NUL byte");
        }

        bool follow = path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path == ".";
        return (RootedFileSystem.Clean(path), follow);
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenForCopy(ContainerRecord r, CopyTarget target, string reference,
        string shown, bool follow)
    {
        var h = target.Fs.TryOpenPath(target.Rel, follow) ?? throw EngineException.NotFound($"Could not find the file {shown} in container {reference}");
        try
        {
            // Inside a volume every symlink resolved inside the volume; in the rootfs one may have led onto a mount.
            if (target.Volume is null && target.Fs.PathOf(h) is { } resolved)
            {
                CheckNotOnMount(r, "/" + resolved, shown);
            }
        }
        catch
        {
            h.Dispose();
            throw;
        }

        return h;
    }

    private static ContainerPathStat Stat(CopyTarget target, Microsoft.Win32.SafeHandles.SafeFileHandle h)
    {
        var fs = target.Fs;
        string rel = target.Rel;
        var st = RootedFileSystem.Fstat(h);
        string name = target.ContainerPath.Length <= 1 ? "/" : target.ContainerPath[(target.ContainerPath.LastIndexOf('/') + 1)..];
        string linkTarget = "";
        if ((st.Mode & Interop.SIfMt) == Interop.SIfLnk)
        {
            using var resolvedHandle = fs.TryOpenPath(rel, followFinal: true);
            string? resolved = resolvedHandle is null ? null : fs.PathOf(resolvedHandle);
            if (resolved is null)
            {
                // Dangling: resolve the text lexically from the link's directory, as the container would.
                string text = Interop.Readlinkat(h.Fd(), string.Empty) ?? "";
                string parent = rel.Contains('/', StringComparison.Ordinal) ? rel[..rel.LastIndexOf('/')] : "";
                resolved = RootedFileSystem.Clean(text.StartsWith('/') ? text : parent + "/" + text);
            }

            linkTarget = target.Prefix + "/" + resolved;
            if (linkTarget.Length > 1)
            {
                linkTarget = linkTarget.TrimEnd('/');
            }
        }

        var mtime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSec).AddTicks(st.MtimeNsec / 100);
        return new ContainerPathStat(name, st.Size, GoFileMode.FromUnix(st.Mode), mtime, linkTarget);
    }

    private static void CheckNotOnMount(ContainerRecord r, string containerPath, string shown)
    {
        string p = "/" + RootedFileSystem.Clean(containerPath);
        foreach (var (destination, kind) in r.Spec.Storage.Binds.Select(b => (b.Destination, "bind mount"))
                     .Concat(r.Spec.Storage.Tmpfs.Keys.Select(t => (t, "tmpfs")))
                     .Concat(r.Volumes.Select(v => (v.Destination, "volume " + v.Name))))
        {
            string d = "/" + RootedFileSystem.Clean(destination);
            if (p == d || p.StartsWith(d + "/", StringComparison.Ordinal) || d == "/")
            {
                throw EngineException.Invalid(
                    $"{shown} is on the {kind} at {d} of container {r.Id}: bulwark copies only the container's own filesystem " +
                    $"(mounts live in the container's mount namespace); copy through the mount's source, or through a container that mounts it, instead");
            }
        }
    }
}
