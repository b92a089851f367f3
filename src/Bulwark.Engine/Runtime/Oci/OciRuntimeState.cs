namespace Bulwark.Engine.Runtime.Oci;

/// <summary>The output of the runtime's state command.</summary>
public sealed record OciRuntimeState
{
    public string? Id { get; init; }
    public int Pid { get; init; }
    public string? Status { get; init; }
    public string? Bundle { get; init; }
}
