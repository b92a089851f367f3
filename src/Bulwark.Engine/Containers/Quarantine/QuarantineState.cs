namespace Bulwark.Engine.Containers.Quarantine;

/// <summary>
/// A container cut off by <c>bulwark isolate</c>: since when, whether it was frozen by it, and what must be restored
/// on undo (the links brought down in its network namespace and the routes they carried).
/// </summary>
public sealed record QuarantineState
{
    public required DateTimeOffset Since { get; init; }
    public bool Frozen { get; init; }
    public IReadOnlyList<string> LinksDown { get; init; } = [];
    public IReadOnlyList<string> Routes { get; init; } = [];
}
