using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Native;

namespace Bulwark.Engine.Snapshots;

/// <summary>
/// Per-mapping copies of layer snapshots whose owners are shifted into the remapped range
/// (snapshots/&lt;chainid&gt;-uid&lt;start&gt;), so files show their image owners inside a user namespace.
/// Made once per layer and mapping (copy with <c>cp -a --reflink=auto</c>, then lchown every entry and
/// re-apply the mode, since chown clears setuid/setgid), renamed into place when complete, then reused.
/// </summary>
public static class IdShiftedLayers
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, int> Pins = new(StringComparer.Ordinal);
    private static readonly Lock PinLock = new();

    /// <summary>
    /// Keeps the copies of <paramref name="layerDirs"/> for <paramref name="map"/> from the garbage collector while a
    /// create makes or reuses them and until its record (which then holds them) is stored. Nothing when map is null.
    /// </summary>
    public static IDisposable Pin(IReadOnlyList<string> layerDirs, IdMapping? map)
    {
        var paths = map is null ? [] : layerDirs.Select(l => PathFor(l, map)).ToList();
        lock (PinLock)
        {
            foreach (var p in paths)
            {
                Pins[p] = Pins.GetValueOrDefault(p) + 1;
            }
        }

        return new Pinned(paths);
    }

    /// <summary>
    /// Removes a copy no container record uses (<paramref name="recordsUse"/> false) and no create has pinned: under the
    /// pin lock it is renamed out of its name (tmp-*, which start-up also removes), so a create that pins it afterwards
    /// makes it anew; then it is deleted. False when it stays.
    /// </summary>
    public static bool RemoveIfUnused(string copyDir, Func<string, bool> recordsUse)
    {
        string parent = Path.GetDirectoryName(copyDir)!;
        string trash = Path.Combine(parent, "tmp-unused-" + Guid.NewGuid().ToString("N"));
        lock (PinLock)
        {
            if (Pins.ContainsKey(copyDir) || recordsUse(copyDir))
            {
                return false;
            }

            Directory.Move(copyDir, trash);
        }

        Directory.Delete(trash, recursive: true);
        return true;
    }

    private sealed class Pinned(List<string> paths) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            lock (PinLock)
            {
                if (_released)
                {
                    return;
                }

                _released = true;
                foreach (var p in paths)
                {
                    if (Pins[p] <= 1)
                    {
                        Pins.Remove(p);
                    }
                    else
                    {
                        Pins[p]--;
                    }
                }
            }
        }
    }

    /// <summary>Directory of the shifted copy of <paramref name="layerDir"/> for <paramref name="map"/>.</summary>
    public static string PathFor(string layerDir, IdMapping map)
    {
        string suffix = map.HostUid == map.HostGid
            ? string.Create(CultureInfo.InvariantCulture, $"-uid{map.HostUid}")
            : string.Create(CultureInfo.InvariantCulture, $"-uid{map.HostUid}-gid{map.HostGid}");
        return layerDir.TrimEnd('/') + suffix;
    }

    /// <summary>The shifted copies of every layer (bottom first, as given), creating the missing ones.</summary>
    public static async Task<IReadOnlyList<string>> PrepareAsync(IReadOnlyList<string> layerDirs, IdMapping map, CancellationToken ct)
    {
        var result = new List<string>(layerDirs.Count);
        foreach (var layer in layerDirs)
        {
            string target = PathFor(layer, map);
            var gate = Gates.GetOrAdd(target, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (!Directory.Exists(target))
                {
                    await CreateAsync(layer, target, map, ct).ConfigureAwait(false);
                }
            }
            finally
            {
                gate.Release();
            }

            result.Add(target);
        }

        return result;
    }

    private static async Task CreateAsync(string source, string target, IdMapping map, CancellationToken ct)
    {
        string tmp = target + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var psi = new ProcessStartInfo("cp") { RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-a", "--reflink=auto", "--no-target-directory", source, tmp })
            {
                psi.ArgumentList.Add(a);
            }

            using (var p = Process.Start(psi) ?? throw new EngineException(ErrorKind.Internal, "snapshot shift: could not start cp"))
            {
                string err = await p.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
                await p.WaitForExitAsync(ct).ConfigureAwait(false);
                if (p.ExitCode != 0)
                {
                    throw new EngineException(ErrorKind.Internal, $"snapshot {source}: copying for user namespace {map.Describe()} failed: {err.Trim()}");
                }
            }

            await Task.Run(() => Shift(tmp, map, ct), ct).ConfigureAwait(false);
            Directory.Move(tmp, target);
        }
        finally
        {
            if (Directory.Exists(tmp))
            {
                Directory.Delete(tmp, recursive: true);
            }
        }
    }

    /// <summary>lchown every entry under (and including) <paramref name="root"/> into the mapping; keeps modes and file capabilities.</summary>
    public static void Shift(string root, IdMapping map, CancellationToken ct) =>
        Rewrite(root, map.ToHostUid, map.ToHostGid, ct);

    /// <summary>lchown every entry under (and including) <paramref name="root"/> to the ids the functions give (symlinks
    /// are never followed; setuid/setgid modes and file capabilities are put back after the chown); returns how many
    /// entries changed owner.</summary>
    public static int Rewrite(string root, Func<uint, uint> uid, Func<uint, uint> gid, CancellationToken ct)
    {
        int changed = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            string path = pending.Pop();
            Errno.ThrowIfFailed(Interop.Fstatat(Interop.AtFdCwd, path, out var st, Interop.AtSymlinkNoFollow), "lstat", path);
            uint type = st.Mode & Interop.SIfMt;
            bool isLink = type == Interop.SIfLnk;
            uint newUid = uid(st.Uid);
            uint newGid = gid(st.Gid);
            bool chown = newUid != st.Uid || newGid != st.Gid;
            byte[]? fileCaps = chown && type == Interop.SIfReg ? Interop.Lgetxattr(path, "security.capability") : null;
            if (chown)
            {
                Errno.ThrowIfFailed(Interop.Fchownat(Interop.AtFdCwd, path, newUid, newGid, Interop.AtSymlinkNoFollow), "lchown", path);
                changed++;
            }

            if (chown && !isLink && (st.Mode & 0xC00) != 0)
            {
                // chown cleared setuid/setgid: put the image's mode back.
                Errno.ThrowIfFailed(Interop.Fchmodat(Interop.AtFdCwd, path, st.Mode & 0xFFF, 0), "chmod", path);
            }

            if (fileCaps is not null)
            {
                // chown dropped the capability xattr; restore it (v2 form is honoured only for the host's root id, see docs/SECURITY.md).
                _ = Interop.Lsetxattr(path, "security.capability", fileCaps);
            }

            if (type == Interop.SIfDir)
            {
                foreach (var child in Directory.EnumerateFileSystemEntries(path))
                {
                    pending.Push(child);
                }
            }
        }

        return changed;
    }
}
