namespace Bulwark.Engine.Containers;

/// <summary>How a failed start maps to an exit code, as Docker reports it (clients map 126/127 the same way).</summary>
internal static class StartErrors
{
    public static int ExitCode(string message)
    {
        if (message.Contains("executable file not found", StringComparison.OrdinalIgnoreCase)
            || message.Contains("no such file or directory", StringComparison.OrdinalIgnoreCase))
        {
            return 127;
        }
        if (message.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
            || message.Contains("is a directory", StringComparison.OrdinalIgnoreCase))
        {
            return 126;
        }
        return 128;
    }
}
