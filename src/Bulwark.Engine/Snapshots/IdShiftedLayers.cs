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
    public static void Shift(string root, IdMapping map, CancellationToken ct)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            string path = pending.Pop();
            Errno.ThrowIfFailed(Interop.Fstatat(Interop.AtFdCwd, path, out var st, Interop.AtSymlinkNoFollow), "lstat", path);
            uint type = st.Mode & Interop.SIfMt;
            bool isLink = type == Interop.SIfLnk;
            byte[]? fileCaps = type == Interop.SIfReg ? Interop.Lgetxattr(path, "security.capability") : null;
            Errno.ThrowIfFailed(
                Interop.Fchownat(Interop.AtFdCwd, path, map.ToHostUid(st.Uid), map.ToHostGid(st.Gid), Interop.AtSymlinkNoFollow),
                "lchown", path);
            if (!isLink && (st.Mode & 0xC00) != 0)
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
    }
}
