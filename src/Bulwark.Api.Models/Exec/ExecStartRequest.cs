namespace Bulwark.Api.Models.Exec;

/// <summary>Body of <c>POST /exec/{id}/start</c>.</summary>
public sealed class ExecStartRequest
{
    public bool Detach { get; set; }
    public bool Tty { get; set; }
    public List<int>? ConsoleSize { get; set; }
}
