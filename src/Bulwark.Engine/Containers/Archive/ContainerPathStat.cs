namespace Bulwark.Engine.Containers.Archive;

/// <summary>
/// A path inside a container as <c>docker cp</c> sees it: <paramref name="Mode"/> is Go's os.FileMode (permission
/// bits plus type flags in the high bits, see <see cref="GoFileMode"/>); <paramref name="LinkTarget"/> is the
/// in-container path a symlink resolves to ("" otherwise).
/// </summary>
public sealed record ContainerPathStat(string Name, long Size, uint Mode, DateTimeOffset Mtime, string LinkTarget);
