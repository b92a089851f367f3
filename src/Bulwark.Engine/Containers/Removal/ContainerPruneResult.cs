namespace Bulwark.Engine.Containers.Removal;

/// <summary>What a container prune removed: the ids and the bytes their writable layers held.</summary>
public sealed record ContainerPruneResult(IReadOnlyList<string> Removed, long SpaceReclaimed);
