namespace Bulwark.Api.Models.Exec;

/// <summary>Body of <c>POST /containers/{id}/exec</c>.</summary>
public sealed class ExecCreateRequest
{
    public bool AttachStdin { get; set; }
    public bool AttachStdout { get; set; }
    public bool AttachStderr { get; set; }
    public bool Tty { get; set; }
    public bool Detach { get; set; }
    public string? DetachKeys { get; set; }
    public List<string>? Env { get; set; }
    public List<string>? Cmd { get; set; }
    public string? User { get; set; }
    public string? WorkingDir { get; set; }
    public bool Privileged { get; set; }
    public List<int>? ConsoleSize { get; set; }
}
