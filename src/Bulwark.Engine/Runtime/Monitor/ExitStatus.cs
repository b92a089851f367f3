namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>How a container ended. ExitCode -1 = unknown (the monitor died without recording it).</summary>
public sealed record ExitStatus(int ExitCode, bool OomKilled, DateTimeOffset FinishedAt);
