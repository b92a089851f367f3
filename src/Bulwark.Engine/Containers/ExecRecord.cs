namespace Bulwark.Engine.Containers;

/// <summary>One exec session: kept after exit so its exit code can be read (Docker keeps them a few minutes).</summary>
public sealed class ExecRecord
{
    public required string Id { get; init; }
    public required string ContainerId { get; init; }
    public required ExecSpec Spec { get; init; }
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;
    public bool Running { get; internal set; }
    public bool Started { get; internal set; }
    public int? ExitCode { get; internal set; }
    public int Pid { get; internal set; }
    public DateTimeOffset? FinishedAt { get; internal set; }
    public ContainerStreams Streams { get; } = new();
}
