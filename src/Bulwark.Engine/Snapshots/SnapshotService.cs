using System.Security.Cryptography;
using System.Text;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Engine.Snapshots.Idmapped;
using Bulwark.Native;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Snapshots;

/// <summary>
/// A container's writable root filesystem over the read-only layer snapshots.
/// "overlay": overlayfs with the layers as lowerdirs (top first) and &lt;containerDir&gt;/upper,/work.
/// "copy": when overlayfs cannot be mounted under the data root (probed once at construction), the
/// layers are copied into &lt;containerDir&gt;/rootfs at prepare time and mounting does nothing.
/// With a user-namespace mapping and <see cref="IdmappedLayers"/>, the overlay's lowerdirs are idmapped mounts of the
/// layers (see <see cref="IdmappedLowerLayers"/>), so the stored layers are never copied or chowned for a range.
/// </summary>
public sealed class SnapshotService
{
    public const string OverlayDriver = "overlay";
    public const string CopyDriver = "copy";
    private const string CopyReadyMarker = ".rootfs-ready";
    private const int PageSize = 4096;
    private readonly string dataRoot;
    private readonly ILogger<SnapshotService> logger;
    private readonly Lock mountLock = new();

    /// <param name="driver">null probes overlayfs; "overlay" or "copy" forces one (tests).</param>
    /// <param name="idmapProbe">A mapping to probe idmapped mounts with (the overlay driver only); null = never idmap layers.</param>
    public SnapshotService(string dataRoot, ILogger<SnapshotService> logger, string? driver = null, IdMapping? idmapProbe = null)
    {
        this.dataRoot = dataRoot;
        this.logger = logger;
        Directory.CreateDirectory(dataRoot);
        Driver = driver switch
        {
            null => ProbeOverlay(dataRoot, logger) ? OverlayDriver : CopyDriver,
            OverlayDriver or CopyDriver => driver,
            _ => throw EngineException.Invalid($"snapshot driver \"{driver}\": expected overlay or copy"),
        };
        IdmappedLayers = Driver == OverlayDriver && idmapProbe is not null && IdmapSupport.Probe(dataRoot, idmapProbe, logger);
    }

    /// <summary>Whether remapped containers get idmapped lower layers (else the caller shifts copies of the layers).</summary>
    public bool IdmappedLayers { get; }

    /// <summary>"overlay" or "copy".</summary>
    public string Driver { get; }

    public static string RootfsPath(string containerDir) => Path.Combine(containerDir, "rootfs");

    /// <summary>Creates upper/, work/ and rootfs/ (copy driver: fills rootfs from the layers).</summary>
    public async Task PrepareAsync(string containerDir, IReadOnlyList<string> layerDirs, CancellationToken ct)
    {
        foreach (var l in layerDirs)
        {
            if (!Directory.Exists(l))
            {
                throw EngineException.NotFound($"snapshot {l}: layer directory missing");
            }
        }

        Directory.CreateDirectory(containerDir);
        string rootfs = RootfsPath(containerDir);
        Directory.CreateDirectory(rootfs);
        if (Driver == OverlayDriver)
        {
            Directory.CreateDirectory(Path.Combine(containerDir, "upper"));
            Directory.CreateDirectory(Path.Combine(containerDir, "work"));
            return;
        }

        string marker = Path.Combine(containerDir, CopyReadyMarker);
        if (File.Exists(marker))
        {
            return;
        }

        await Task.Run(() => LayerCopier.CopyLayers(layerDirs, rootfs, ct), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(marker, string.Empty, ct).ConfigureAwait(false);
    }

    /// <summary>Mounts the rootfs (idempotent) and returns its path.</summary>
    /// <param name="idmap">Non-null: the layers are stored unshifted and are mounted idmapped into this range.</param>
    public string Mount(string containerDir, IReadOnlyList<string> layerDirs, IdMapping? idmap = null)
    {
        string rootfs = RootfsPath(containerDir);
        if (Driver == CopyDriver)
        {
            return rootfs;
        }

        lock (mountLock)
        {
            if (IsMounted(rootfs))
            {
                return rootfs;
            }

            string upper = Path.Combine(containerDir, "upper");
            string work = Path.Combine(containerDir, "work");
            if (!Directory.Exists(upper) || !Directory.Exists(work) || !Directory.Exists(rootfs))
            {
                throw EngineException.Conflict($"snapshot {containerDir}: not prepared (upper, work or rootfs missing)");
            }

            var lowers = (idmap is null ? layerDirs : IdmappedLowerLayers.Mount(containerDir, layerDirs, idmap)).Reverse().ToList();
            if (lowers.Count == 0)
            {
                string empty = Path.Combine(containerDir, "empty");
                Directory.CreateDirectory(empty);
                lowers.Add(empty);
            }

            string options = Options(lowers, upper, work);
            if (Encoding.UTF8.GetByteCount(options) >= PageSize)
            {
                lowers = lowers.Select(ShortLink).ToList();
                options = Options(lowers, upper, work);
                if (Encoding.UTF8.GetByteCount(options) >= PageSize)
                {
                    throw EngineException.Invalid(
                        $"snapshot {containerDir}: {layerDirs.Count} layers do not fit in one overlay mount (options exceed {PageSize} bytes)");
                }
            }

            if (Interop.Mount("overlay", rootfs, "overlay", Interop.MsNoDev, options) < 0)
            {
                var ex = new ErrnoException(Errno.Last, "mount overlay", rootfs);
                IdmappedLowerLayers.Unmount(containerDir);
                throw new EngineException(ErrorKind.Internal, $"snapshot {containerDir}: {ex.Message}", ex);
            }

            if (idmap is not null)
            {
                IdmappedLowerLayers.DetachLayers(containerDir);
            }

            logger.LogDebug("mounted overlay at {Rootfs} with {Layers} layers", rootfs, layerDirs.Count);
            return rootfs;
        }
    }

    /// <summary>
    /// Unmounts the rootfs and the idmapped mounts under idmap/ (idempotent; lazy detach so a busy mount does not
    /// block). Each point is detached until the kernel says it is no mount point (EINVAL), so nothing reads the mount
    /// table: the cost stays the same with a thousand containers mounted.
    /// </summary>
    public void Unmount(string containerDir)
    {
        if (Driver == CopyDriver)
        {
            return;
        }

        lock (mountLock)
        {
            try
            {
                MountPoints.DetachAll(RootfsPath(containerDir));
                IdmappedLowerLayers.Unmount(containerDir);
            }
            catch (ErrnoException ex)
            {
                throw new EngineException(ErrorKind.Internal, $"snapshot {containerDir}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Unmounts and deletes upper/, work/ and rootfs/.</summary>
    public void Remove(string containerDir)
    {
        Unmount(containerDir);
        IdmappedLowerLayers.Remove(containerDir);
        string rootfs = RootfsPath(containerDir);
        if (Driver == OverlayDriver && Directory.Exists(rootfs))
        {
            try
            {
                Directory.Delete(rootfs, recursive: false); // the overlay's mount point: empty once unmounted
            }
            catch (IOException) when (!IsMounted(rootfs))
            {
                Directory.Delete(rootfs, recursive: true); // something was written into the bare mount point
            }
            catch (IOException ex)
            {
                throw EngineException.Conflict($"snapshot {containerDir}: rootfs still mounted ({ex.Message})");
            }
        }

        foreach (var name in new[] { "upper", "work", "rootfs", "empty" })
        {
            string p = Path.Combine(containerDir, name);
            if (Directory.Exists(p))
            {
                Directory.Delete(p, recursive: true);
            }
        }

        File.Delete(Path.Combine(containerDir, CopyReadyMarker));
    }

    /// <summary>Bytes in the container's writable layer (overlay: upper/; copy: the whole rootfs).</summary>
    public long DiffSize(string containerDir)
    {
        string dir = Path.Combine(containerDir, Driver == OverlayDriver ? "upper" : "rootfs");
        if (!Directory.Exists(dir))
        {
            return 0;
        }

        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", options))
        {
            if (f.LinkTarget is null)
            {
                total += f.Length;
            }
        }

        return total;
    }

    /// <summary>Whether <paramref name="path"/> is a mount point in this mount namespace.</summary>
    public static bool IsMounted(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && MountPoints.Unescape(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    private static string Options(IReadOnlyList<string> lowers, string upper, string work) =>
        $"lowerdir={string.Join(':', lowers.Select(EscapeOption))},upperdir={EscapeOption(upper)},workdir={EscapeOption(work)}";

    private static string EscapeOption(string path)
    {
        if (path.Contains(',', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal))
        {
            throw EngineException.Invalid($"snapshot path {path}: ',' and ':' cannot appear in overlay mount paths");
        }

        return path;
    }

    private string ShortLink(string layerDir)
    {
        string dir = Path.Combine(dataRoot, "l");
        Directory.CreateDirectory(dir);
        string name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(layerDir)))[..10];
        string link = Path.Combine(dir, name);
        var info = new FileInfo(link);
        if (info.LinkTarget != layerDir)
        {
            File.Delete(link);
            File.CreateSymbolicLink(link, layerDir);
        }

        return link;
    }

    private static bool ProbeOverlay(string dataRoot, ILogger logger)
    {
        string probe = Path.Combine(dataRoot, "tmp-overlay-probe-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            foreach (var d in new[] { "l", "u", "w", "m" })
            {
                Directory.CreateDirectory(Path.Combine(probe, d));
            }

            string opts = $"lowerdir={probe}/l,upperdir={probe}/u,workdir={probe}/w";
            if (Interop.Mount("overlay", Path.Combine(probe, "m"), "overlay", 0, opts) < 0)
            {
                logger.LogWarning("overlayfs unavailable under {DataRoot} (errno {Errno}); using the copy snapshotter",
                    dataRoot, Errno.Last);
                return false;
            }

            Interop.Umount2(Path.Combine(probe, "m"), Interop.MntDetach);
            return true;
        }
        finally
        {
            try
            {
                Directory.Delete(probe, recursive: true);
            }
            catch (IOException)
            {
                // the probe dir is harmless if it stays
            }
            catch (UnauthorizedAccessException)
            {
                // likewise
            }
        }
    }
}
