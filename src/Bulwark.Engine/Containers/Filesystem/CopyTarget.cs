using Bulwark.Engine.Errors;
using Bulwark.Native;

namespace Bulwark.Engine.Containers.Filesystem;

/// <summary>
/// Where a docker cp path lives: the container's rootfs, or (for a path under a volume's destination) the volume's
/// <c>_data</c> as its own root. The deepest mount containing the path decides; binds and tmpfs are refused.
/// </summary>
internal sealed class CopyTarget : IDisposable
{
    private readonly bool _owned;

    private CopyTarget(RootedFileSystem fs, string rel, string containerPath, string prefix, Volumes.VolumeAttachment? volume, bool owned)
    {
        Fs = fs;
        Rel = rel;
        ContainerPath = containerPath;
        Prefix = prefix;
        Volume = volume;
        _owned = owned;
    }

    public RootedFileSystem Fs { get; }

    /// <summary>The path relative to <see cref="Fs"/>'s root.</summary>
    public string Rel { get; }

    /// <summary>The cleaned container path ("/a/b").</summary>
    public string ContainerPath { get; }

    /// <summary>What <see cref="Fs"/>'s root is in the container ("" for the rootfs, the volume's destination otherwise).</summary>
    public string Prefix { get; }

    public Volumes.VolumeAttachment? Volume { get; }

    public static CopyTarget For(ContainerRecord r, RootedFileSystem rootfs, string path)
    {
        string p = "/" + RootedFileSystem.Clean(path);
        (string Dest, string Kind, Volumes.VolumeAttachment? Volume)? best = null;
        foreach (var (destination, kind, volume) in r.Spec.Storage.Binds.Select(b => (b.Destination, "bind mount", (Volumes.VolumeAttachment?)null))
                     .Concat(r.Spec.Storage.Tmpfs.Keys.Select(t => (t, "tmpfs", (Volumes.VolumeAttachment?)null)))
                     .Concat(r.Volumes.Select(v => (v.Destination, "volume " + v.Name, (Volumes.VolumeAttachment?)v))))
        {
            string d = "/" + RootedFileSystem.Clean(destination);
            bool contains = d == "/" || p == d || p.StartsWith(d + "/", StringComparison.Ordinal);
            if (contains && (best is null || d.Length > best.Value.Dest.Length))
            {
                best = (d, kind, volume);
            }
        }

        if (best is null)
        {
            return new CopyTarget(rootfs, RootedFileSystem.Clean(path), p, "", null, owned: false);
        }

        if (best.Value.Volume is not { } v)
        {
            throw EngineException.Invalid(
                $"{path} is on the {best.Value.Kind} at {best.Value.Dest} of container {r.Id}: bulwark copies only the container's own " +
                "filesystem and its volumes (bind and tmpfs mounts live in the container's mount namespace); copy through the mount's source instead");
        }

        string rel = p == best.Value.Dest ? "" : p[(best.Value.Dest.Length + 1)..];
        return new CopyTarget(new RootedFileSystem(v.Source), rel, p, best.Value.Dest == "/" ? "" : best.Value.Dest, v, owned: true);
    }

    public void Dispose()
    {
        if (_owned)
        {
            Fs.Dispose();
        }
    }
}
