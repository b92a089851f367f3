namespace Bulwark.Engine.Runtime;

/// <summary>Exit code and captured output of a runtime CLI call.</summary>
internal sealed record RuntimeCommandResult(int ExitCode, string Stdout, string Stderr);
