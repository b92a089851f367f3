namespace Bulwark.Engine.Containers;

/// <summary>A process to run inside a running container (docker exec).</summary>
public sealed record ExecSpec
{
    public required IReadOnlyList<string> Cmd { get; init; }
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? User { get; init; }
    public string? WorkingDir { get; init; }
    public bool Tty { get; init; }
    public TerminalSize? ConsoleSize { get; set; }
    public bool AttachStdin { get; init; }
    public bool AttachStdout { get; init; } = true;
    public bool AttachStderr { get; init; } = true;
    public bool Privileged { get; init; }
    /// <summary>Detach sequence for a TTY exec (Docker's spelling, e.g. "ctrl-p,ctrl-q"); null = the default.</summary>
    public string? DetachKeys { get; init; }
}
