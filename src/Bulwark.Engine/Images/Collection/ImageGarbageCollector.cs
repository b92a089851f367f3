using Bulwark.Engine.Content;
using Bulwark.Engine.Images.Store;
using Bulwark.Native;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Images.Collection;

/// <summary>
/// Mark and sweep over the content store and the snapshots: whatever no stored image references goes (blobs, layer
/// snapshots and their user-namespace shifted copies), plus leftovers of interrupted ingests at start-up. Callers hold
/// the image store's write lock.
/// </summary>
internal sealed partial class ImageGarbageCollector(ContentStore content, ImageStore store, string snapshotsRoot, ILogger logger)
{
    /// <summary>Collects (caller holds the write lock): returns the chain ids of removed snapshots.</summary>
    /// <param name="copyInUse">Given: a user-namespace shifted copy (the fallback without idmapped mounts) of a layer
    /// images still reference goes too when no container record uses it (the predicate says so) and no create has it
    /// pinned; it is a cache that the next container of that range makes again.</param>
    public List<string> Collect(Func<string, bool>? copyInUse = null)
    {
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        var chains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in store.ReadRows())
        {
            blobs.Add(i.Id);
            blobs.Add(i.ManifestDigest);
            foreach (var l in i.Layers)
            {
                blobs.Add(l.Digest);
                chains.Add(l.ChainId);
            }
        }

        foreach (var d in content.List())
        {
            if (!blobs.Contains(d.Value))
            {
                content.Delete(d);
            }
        }

        var removed = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(snapshotsRoot))
        {
            string name = Path.GetFileName(dir);
            if (Digest.TryParse("sha256:" + name, out var chain) && !chains.Contains(chain.Value))
            {
                UnmountStale(dir);
                Directory.Delete(dir, recursive: true);
                removed.Add(chain.Value);
            }
            else if (name.Length > 64 && name[64] == '-' && Digest.TryParse("sha256:" + name[..64], out var baseChain)
                && !chains.Contains(baseChain.Value))
            {
                // A user-namespace shifted copy (<chain>-uid<start>) of a layer no image references any more.
                // Images stay referenced while a container uses them, so no running container loses its copy.
                UnmountStale(dir);
                Directory.Delete(dir, recursive: true);
            }
            else if (copyInUse is not null && name.Length > 64 && name[64] == '-' && Digest.TryParse("sha256:" + name[..64], out _)
                && !name.StartsWith("tmp-", StringComparison.Ordinal)
                && !Snapshots.SnapshotService.IsMounted(dir) && Snapshots.IdShiftedLayers.RemoveIfUnused(dir, copyInUse))
            {
                LogCopyRemoved(logger, name);
            }
        }

        return removed;
    }

    /// <summary>Collects after a failed operation; a failure to collect is logged, never thrown over the original error.</summary>
    public void CollectQuietly()
    {
        try
        {
            Collect();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCollectFailed(logger, ex.Message);
        }
    }

    /// <summary>At start-up: partial ingests, unpack and load directories of an interrupted run, then a collection.</summary>
    public void CleanStartup(string tempRoot)
    {
        content.CleanIngest();
        foreach (var dir in Directory.EnumerateDirectories(snapshotsRoot, "tmp-*"))
        {
            TryDeleteDirectory(dir, logger);
        }

        foreach (var dir in Directory.EnumerateDirectories(tempRoot, "load-*"))
        {
            TryDeleteDirectory(dir, logger);
        }

        using var lease = store.Lock();
        CollectQuietly();
    }

    public static void TryDeleteDirectory(string dir, ILogger logger)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogCannotRemove(logger, dir, ex.Message);
        }
    }

    private static void UnmountStale(string dir)
    {
        // Snapshots are never mount points; refuse to recurse into one that somehow is.
        if (Snapshots.SnapshotService.IsMounted(dir))
        {
            Interop.Umount2(dir, Interop.MntDetach);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "removed the user-namespace shifted layer copy {Name}: no container uses it")]
    private static partial void LogCopyRemoved(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "garbage collection after a failed operation: {Error}")]
    private static partial void LogCollectFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot remove {Dir}: {Error}")]
    private static partial void LogCannotRemove(ILogger logger, string dir, string error);
}
