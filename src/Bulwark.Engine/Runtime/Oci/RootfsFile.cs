using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Runtime.Oci;

/// <summary>
/// Reads small files of a container's root filesystem without leaving it: every symlink on the way is resolved
/// as if the rootfs were "/", so "/etc/passwd -> /host/etc/shadow" style links stay inside the rootfs.
/// Meant for rootfs trees the container is not running in (create time); it does not defend against
/// concurrent renames inside the tree.
/// </summary>
public static class RootfsFile
{
    private const int MaxSymlinkHops = 40;
    private const long MaxFileBytes = 4L * 1024 * 1024;

    /// <summary>Host path of <paramref name="containerPath"/> inside <paramref name="rootfs"/>, or null when it does not exist.</summary>
    public static string? Resolve(string rootfs, string containerPath)
    {
        var root = Path.GetFullPath(rootfs).TrimEnd('/');
        var resolved = new List<string>();
        var pending = new LinkedList<string>(containerPath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (pending.First is { } node)
        {
            var part = node.Value;
            pending.RemoveFirst();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = root + "/" + string.Join('/', resolved.Append(part));
            var info = new FileInfo(candidate);
            if (info.LinkTarget is { } target)
            {
                if (++hops > MaxSymlinkHops)
                {
                    throw EngineException.Invalid($"too many levels of symbolic links resolving {containerPath} in the container's rootfs");
                }

                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                var parts = target.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (var i = parts.Length - 1; i >= 0; i--)
                {
                    pending.AddFirst(parts[i]);
                }

                continue;
            }

            if (!info.Exists && !Directory.Exists(candidate))
            {
                return null;
            }

            resolved.Add(part);
        }

        return root + "/" + string.Join('/', resolved);
    }

    /// <summary>Text of a regular file inside the rootfs, or null when it does not exist.</summary>
    public static string? ReadText(string rootfs, string containerPath)
    {
        var path = Resolve(rootfs, containerPath);
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Length > MaxFileBytes)
        {
            throw EngineException.Invalid($"{containerPath} in the container's rootfs is not a small regular file");
        }

        return File.ReadAllText(path);
    }
}
