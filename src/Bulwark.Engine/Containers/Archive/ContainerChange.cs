namespace Bulwark.Engine.Containers.Archive;

/// <summary>One entry of <c>docker diff</c>: an absolute in-container path and what happened to it.</summary>
public sealed record ContainerChange(string Path, ContainerChangeKind Kind);
