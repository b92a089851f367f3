namespace Bulwark.Cli.Running;

/// <summary>docker's exit codes for <c>run</c>: 125 daemon error, 126 not executable, 127 not found.</summary>
internal static class ExitCodes
{
    public const int DaemonError = 125;
    public const int CannotInvoke = 126;
    public const int NotFound = 127;

    /// <summary>Exit code for a start (or create) error message, as docker CLI's toStatusError decides it.</summary>
    public static int ForStartError(string message)
    {
        if (message.Contains("executable file not found", StringComparison.Ordinal)
            || message.Contains("no such file or directory", StringComparison.Ordinal)
            || message.Contains("system cannot find the file specified", StringComparison.Ordinal))
        {
            return NotFound;
        }

        if (message.Contains("permission denied", StringComparison.Ordinal)
            || message.Contains("is a directory", StringComparison.Ordinal))
        {
            return CannotInvoke;
        }

        return DaemonError;
    }
}
