using Microsoft.Extensions.Logging;

namespace Bulwark.Engine.Ports;

/// <summary>The port publisher's log messages.</summary>
internal static partial class PortsLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "published port {Port}: accept failed: {Reason}")]
    public static partial void AcceptFailed(ILogger logger, int port, string reason);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "published port {Port}: connection ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, int port, string reason);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "container {Id}: its published ports could not be opened: {Reason}")]
    public static partial void RestoreFailed(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "container {Id}: published {Ports}")]
    public static partial void Published(ILogger logger, string id, string ports);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "userland-proxy false: local connections to published TCP ports go straight to the container over a port link (connect redirect attached at {Cgroup})")]
    public static partial void RedirectOn(ILogger logger, string cgroup);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Warning, Message = "userland-proxy false, but this host cannot redirect connections ({Reason}): published ports use the proxy")]
    public static partial void RedirectUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Warning, Message = "port link {Link}: {Reason}; its ports stay on the proxy")]
    public static partial void RedirectFailed(ILogger logger, string link, string reason);
}
