namespace Bulwark.Engine.Containers.Archive;

/// <summary>
/// PUT /containers/{id}/archive options: <paramref name="NoOverwriteDirNonDir"/> refuses to replace a directory
/// with a non-directory (and the reverse); <paramref name="CopyUidGid"/> keeps the archive's owners (mapped into
/// the container's user namespace) instead of making everything belong to the container's root.
/// </summary>
public sealed record ExtractOptions(bool NoOverwriteDirNonDir, bool CopyUidGid);
