using Bulwark.Engine.Security.UserNamespaces;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Snapshots.Idmapped;

/// <summary>
/// The user-namespace files of the id ranges this daemon has mapped, kept open: an open file keeps a user namespace
/// alive without any process in it, and a namespace without processes grants nothing to anyone; it is only the
/// mapping that mount_setattr(MOUNT_ATTR_IDMAP) reads. So a range's namespace is made once (one short-lived child, see
/// <see cref="UserNamespaceFile"/>) and every later mount for the range (each start of a container, each new
/// container that gets the same range back) reuses it. Ranges are handed out lowest-free first, so the set stays as
/// small as the peak number of containers; past <see cref="Capacity"/> the least recently used file is closed
/// (a mount in progress holds a reference, so a file is closed only when no one uses it).
/// </summary>
public static class UserNamespaceCache
{
    /// <summary>Open namespace files kept at most (one file descriptor each).</summary>
    public const int Capacity = 1024;

    private static readonly Dictionary<(uint Uid, uint Gid, uint Size), LinkedListNode<Entry>> Entries = [];
    private static readonly LinkedList<Entry> RecentFirst = new();
    private static readonly Lock Gate = new();

    /// <summary>How many namespace files are open now (tests, diagnostics).</summary>
    public static int Count
    {
        get
        {
            lock (Gate)
            {
                return Entries.Count;
            }
        }
    }

    /// <summary>A reference to the namespace file of <paramref name="map"/>, made now if this range has none yet.</summary>
    public static Lease Rent(IdMapping map)
    {
        var key = (map.HostUid, map.HostGid, map.Size);
        lock (Gate)
        {
            if (Entries.TryGetValue(key, out var node))
            {
                RecentFirst.Remove(node);
                RecentFirst.AddFirst(node);
                return new Lease(node.Value.File);
            }
        }

        // Made outside the lock: the child takes milliseconds, and two ranges may be made at once.
        var made = UserNamespaceFile.Create(map);
        lock (Gate)
        {
            if (Entries.TryGetValue(key, out var raced))
            {
                made.Dispose(); // another create for this range won; use its file
                return new Lease(raced.Value.File);
            }

            var node = RecentFirst.AddFirst(new Entry(key, made));
            Entries[key] = node;
            while (Entries.Count > Capacity && RecentFirst.Last is { } oldest)
            {
                RecentFirst.RemoveLast();
                Entries.Remove(oldest.Value.Key);
                oldest.Value.File.Dispose(); // closed once the last lease of it is released
            }

            return new Lease(made);
        }
    }

    /// <summary>Closes every kept namespace file (tests).</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            foreach (var e in RecentFirst)
            {
                e.File.Dispose();
            }

            RecentFirst.Clear();
            Entries.Clear();
        }
    }

    private sealed record Entry((uint Uid, uint Gid, uint Size) Key, SafeFileHandle File);

    /// <summary>A counted reference to a kept namespace file; the file stays open at least until it is disposed.</summary>
    public sealed class Lease : IDisposable
    {
        private bool _held;

        internal Lease(SafeFileHandle file)
        {
            File = file;
            file.DangerousAddRef(ref _held); // under the cache lock: the file cannot be closed before this
        }

        public SafeFileHandle File { get; }

        public void Dispose()
        {
            if (_held)
            {
                _held = false;
                File.DangerousRelease();
            }
        }
    }
}
