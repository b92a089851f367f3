using Bulwark.Engine.Errors;
using Bulwark.Engine.Security.UserNamespaces;
using Microsoft.Extensions.Logging;

namespace Bulwark.Daemon.Hosting;

/// <summary>daemon.json "userns-ranges": whether containers get a uid/gid range each, decided once at start.</summary>
internal static partial class UsernsRanges
{
    public static IdRangeAllocator? Select(DaemonOptions options, IdMapping? shared, bool idmappedLayers, ILogger logger)
    {
        if (shared is null || options.UsernsRanges == "shared")
        {
            return null;
        }

        if (!idmappedLayers)
        {
            // Shifted copies per range would copy every layer for every container: keep one range.
            LogShared(logger, "layers are not idmapped");
            return null;
        }

        var (user, group) = UsernsRemap.Names(options.UsernsRemap);
        var ranges = IdRangeAllocator.FromSubordinateFiles("/etc", user, group);
        if (ranges.Capacity >= 2)
        {
            LogPerContainer(logger, ranges.Capacity, user);
            return ranges;
        }

        string need = $"a range per container needs more subordinate ids for {user}: add a line such as " +
            $"\"{user}:1000000:65536000\" (1,000 ranges of 65536) to both /etc/subuid and /etc/subgid, overlapping no other range";
        if (options.UsernsRanges == "per-container")
        {
            throw new EngineException(ErrorKind.Forbidden, $"userns-ranges per-container: {need}");
        }

        LogShared(logger, need);
        return null;
    }

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "user namespaces: a uid/gid range per container ({Capacity} ranges of {User}'s subordinate ids)")]
    private static partial void LogPerContainer(ILogger logger, int capacity, string user);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "user namespaces: every container shares one range ({Reason})")]
    private static partial void LogShared(ILogger logger, string reason);
}
