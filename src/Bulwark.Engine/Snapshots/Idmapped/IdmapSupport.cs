using Bulwark.Engine.Errors;
using Bulwark.Engine.Security.UserNamespaces;
using Bulwark.Native;
using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Snapshots.Idmapped;

/// <summary>
/// Probes, once at start, whether an overlay can be mounted over an idmapped layer under the data root (kernel 5.19+
/// and a filesystem that supports idmapping). When it cannot, the daemon logs why and falls back to shifted copies.
/// </summary>
public static partial class IdmapSupport
{
    public static bool Probe(string dataRoot, IdMapping map, ILogger logger)
    {
        string probe = Path.Combine(dataRoot, "tmp-idmap-probe-" + Guid.NewGuid().ToString("N")[..8]);
        string lower = Path.Combine(probe, "l");
        string mapped = Path.Combine(probe, "lm");
        string merged = Path.Combine(probe, "m");
        try
        {
            foreach (var d in new[] { lower, mapped, Path.Combine(probe, "u"), Path.Combine(probe, "w"), merged })
            {
                Directory.CreateDirectory(d);
            }

            using var userns = UserNamespaceCache.Rent(map);
            IdmappedMount.Attach(lower, mapped, userns.File, Interop.MountAttrRdOnly);
            string opts = $"lowerdir={mapped},upperdir={probe}/u,workdir={probe}/w";
            if (Interop.Mount("overlay", merged, "overlay", Interop.MsNoDev, opts) < 0)
            {
                throw new ErrnoException(Errno.Last, "mount overlay over an idmapped layer", merged);
            }

            return true;
        }
        catch (Exception ex) when (ex is ErrnoException or EngineException or IOException or UnauthorizedAccessException)
        {
            LogFallback(logger, dataRoot, ex.Message);
            return false;
        }
        finally
        {
            _ = Interop.Umount2(merged, Interop.MntDetach);
            _ = Interop.Umount2(mapped, Interop.MntDetach);
            try
            {
                if (MountPoints.Under(probe).Count == 0)
                {
                    Directory.Delete(probe, recursive: true);
                }
            }
            catch (IOException)
            {
                // the probe dir is harmless if it stays
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "idmapped layers unavailable under {DataRoot} ({Reason}); falling back to shifted copies of each layer per id range")]
    private static partial void LogFallback(ILogger logger, string dataRoot, string reason);
}
