using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Native;

namespace Bulwark.Engine.Snapshots.Idmapped;

/// <summary>
/// Host binds and volumes seen through the container's id range. runc cannot make idmapped mounts, so at create the
/// bundle's bind sources are pointed at &lt;containerDir&gt;/idmap/b&lt;n&gt;, and at every start the real sources are
/// attached there as recursive idmapped clones (nosuid, nodev). Owner N on disk reads as container id N: the
/// container's root acts as the host's root on its binds, and a volume stored with container ids is shared correctly
/// by containers with different ranges.
/// </summary>
public static class IdmappedBindSources
{
    /// <summary>The spec with the bind sources in <paramref name="sources"/> pointed at idmap/b&lt;n&gt; (mount points
    /// created now), and the host sources in n order, to record with the container.</summary>
    public static (OciSpec Spec, IReadOnlyList<string> Sources) Redirect(OciSpec spec, string containerDir, IReadOnlySet<string> sources)
    {
        if (sources.Count == 0)
        {
            return (spec, []);
        }

        string root = IdmappedLowerLayers.Root(containerDir);
        var hostSources = new List<string>();
        var mounts = new List<OciMount>(spec.Mounts.Count);
        foreach (var m in spec.Mounts)
        {
            if (m.Type != "bind" || m.Source is not { } source || !sources.Contains(source))
            {
                mounts.Add(m);
                continue;
            }

            Directory.CreateDirectory(root);
            string target = Path.Combine(root, "b" + hostSources.Count.ToString(CultureInfo.InvariantCulture));
            if (Directory.Exists(source))
            {
                Directory.CreateDirectory(target);
            }
            else
            {
                File.WriteAllBytes(target, []);
            }

            hostSources.Add(source);
            mounts.Add(m with { Source = target });
        }

        return (spec with { Mounts = mounts }, hostSources);
    }

    /// <summary>Attaches every recorded source at idmap/b&lt;n&gt; (idempotent).</summary>
    public static void Mount(string containerDir, IReadOnlyList<string> sources, IdMapping map)
    {
        if (sources.Count == 0)
        {
            return;
        }

        string root = IdmappedLowerLayers.Root(containerDir);
        var mounted = MountPoints.Under(root);
        try
        {
            using var userns = UserNamespaceCache.Rent(map);
            for (int i = 0; i < sources.Count; i++)
            {
                string target = Path.Combine(root, "b" + i.ToString(CultureInfo.InvariantCulture));
                if (mounted.Contains(target))
                {
                    continue;
                }

                try
                {
                    IdmappedMount.Attach(sources[i], target, userns.File, Interop.MountAttrNoSuid | Interop.MountAttrNoDev, recursive: true);
                }
                catch (ErrnoException ex)
                {
                    throw EngineException.Invalid(
                        $"bind source {sources[i]}: cannot be mounted in the container's id range ({ex.Message}); its filesystem may not " +
                        "support idmapped mounts: daemon.json policy \"unmapped-binds\": true binds host paths without id mapping");
                }
            }
        }
        catch
        {
            IdmappedLowerLayers.Unmount(containerDir, "b");
            throw;
        }
    }
}
