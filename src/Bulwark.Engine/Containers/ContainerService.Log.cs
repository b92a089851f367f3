using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers;

public sealed partial class ContainerService
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "cleanup of {Target} failed: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, string target, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "monitor of container {Id} failed: {Reason}")]
    private static partial void LogMonitorFailed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "signal to container {Id} failed: {Reason}")]
    private static partial void LogKillFailed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "removed half-created container directory {Dir}")]
    private static partial void LogOrphanRemoved(ILogger logger, string dir);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "re-attached to running container {Id}")]
    private static partial void LogReattached(ILogger logger, string id);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "container {Id}: network namespace left from an earlier run removed")]
    private static partial void LogNetnsReconciled(ILogger logger, string id);
}
