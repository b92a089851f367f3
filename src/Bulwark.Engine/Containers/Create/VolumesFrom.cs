using Bulwark.Engine.Errors;
using Bulwark.Engine.Volumes;

namespace Bulwark.Engine.Containers.Create;

/// <summary>
/// <c>--volumes-from CONTAINER[:ro|:rw]</c>, as Docker does it: the new container gets the source container's binds and
/// volumes (named and anonymous) at the same destinations. ":ro" makes them read-only, ":rw" writable, and without a
/// mode each keeps the source's. The container's own mounts win at a destination they share. The expansion happens
/// before policy, so inherited binds are judged like the container's own.
/// </summary>
internal static class VolumesFrom
{
    public static ContainerSpec Expand(ContainerSpec spec, ContainerIndex index)
    {
        if (spec.Storage.VolumesFrom.Count == 0)
        {
            return spec;
        }
        var storage = spec.Storage;
        var taken = new HashSet<string>(
            storage.Binds.Select(b => b.Destination).Concat(storage.Volumes.Select(v => v.Destination)).Concat(storage.Tmpfs.Keys).Select(VolumePlan.Clean),
            StringComparer.Ordinal);
        var binds = new List<BindMount>(storage.Binds);
        var volumes = new List<VolumeMountSpec>(storage.Volumes);
        foreach (string entry in storage.VolumesFrom)
        {
            var (reference, mode) = Parse(entry);
            ContainerRecord source;
            try
            {
                source = index.Find(reference).Record;
            }
            catch (EngineException ex) when (ex.Kind == ErrorKind.NotFound)
            {
                // A 400: the docker CLI reads a 404 from create as a missing image and would start a pull.
                throw EngineException.Invalid($"--volumes-from {entry}: No such container: {reference}");
            }
            foreach (var b in source.Spec.Storage.Binds)
            {
                if (taken.Add(VolumePlan.Clean(b.Destination)))
                {
                    binds.Add(b with { ReadOnly = mode switch { "ro" => true, "rw" => false, _ => b.ReadOnly } });
                }
            }
            foreach (var v in source.Volumes)
            {
                if (taken.Add(VolumePlan.Clean(v.Destination)))
                {
                    bool readOnly = mode switch { "ro" => true, "rw" => false, _ => v.ReadOnly };
                    volumes.Add(new VolumeMountSpec(v.Name, v.Destination, readOnly, NoCopy: true));
                }
            }
        }
        return spec with { Storage = storage with { Binds = binds, Volumes = volumes } };
    }

    private static (string Reference, string? Mode) Parse(string entry)
    {
        string[] parts = entry.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0 || (parts.Length == 2 && parts[1] is not ("ro" or "rw")))
        {
            throw EngineException.Invalid($"invalid --volumes-from '{entry}': expected CONTAINER[:ro|:rw]");
        }
        return (parts[0], parts.Length == 2 ? parts[1] : null);
    }
}
