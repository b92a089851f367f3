using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Containers;

/// <summary>The container services' log messages (one source-generated method each).</summary>
internal static partial class ContainerLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "cleanup of {Target} failed: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string target, string reason);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "monitor of container {Id} failed: {Reason}")]
    public static partial void MonitorFailed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "signal to container {Id} failed: {Reason}")]
    public static partial void KillFailed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "removed half-created container directory {Dir}")]
    public static partial void OrphanRemoved(ILogger logger, string dir);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "re-attached to running container {Id}")]
    public static partial void Reattached(ILogger logger, string id);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "container {Id}: network namespace left from an earlier run removed")]
    public static partial void NetnsReconciled(ILogger logger, string id);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "container {Id} was running without being recorded as running (daemon stopped during its start): now tracked as running")]
    public static partial void AdoptedRunning(ILogger logger, string id);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "runtime state of {Id} has no container record: killed and deleted")]
    public static partial void UnknownRuntimeStateRemoved(ILogger logger, string id);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "monitor {Pid} of {Id} has no container record (or lost its socket): killed")]
    public static partial void StrayMonitorKilled(ILogger logger, int pid, string id);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "container {Id}: the runtime still ran it without a monitor: killed and deleted")]
    public static partial void UnmonitoredKilled(ILogger logger, string id);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "removed stale state directory {Dir}")]
    public static partial void StaleStateRemoved(ILogger logger, string dir);
}
