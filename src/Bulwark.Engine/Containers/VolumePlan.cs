using Bulwark.Engine.Volumes;
using Bulwark.Native;

namespace Bulwark.Engine.Containers;

/// <summary>
/// The volumes a container gets: the ones it asked for, plus an anonymous volume for each of the image's VOLUME paths
/// that no bind, volume or tmpfs of the request already covers (as Docker does).
/// </summary>
public static class VolumePlan
{
    public static IReadOnlyList<VolumeMountSpec> For(StorageSpec storage, IReadOnlyList<string> imageVolumes)
    {
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (string d in storage.Binds.Select(b => b.Destination).Concat(storage.Tmpfs.Keys).Concat(storage.Volumes.Select(v => v.Destination)))
        {
            covered.Add(Clean(d));
        }

        var result = new List<VolumeMountSpec>(storage.Volumes);
        foreach (string path in imageVolumes)
        {
            string clean = Clean(path);
            if (clean != "/" && covered.Add(clean))
            {
                result.Add(new VolumeMountSpec(null, clean, ReadOnly: false));
            }
        }

        return result;
    }

    /// <summary>"/a//b/../c/" → "/a/c".</summary>
    public static string Clean(string path) => "/" + RootedFileSystem.Clean(path);
}
