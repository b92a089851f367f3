namespace Bulwark.Cli;

/// <summary>A failure that ends the command with <see cref="ExitCode"/> after printing <see cref="Exception.Message"/>.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
