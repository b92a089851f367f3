using Bulwark.Engine.Containers.Archive;
using Bulwark.Engine.Images.Layers;
using Bulwark.Native;

namespace Bulwark.Engine.Containers.Filesystem;

/// <summary>
/// Writes a container's changes (<see cref="OverlayChanges"/>) as an image layer tar: added and modified entries are
/// read from the overlay upper directory by descriptor (a directory without its children, which have changes of
/// their own), deletions become <c>.wh.</c> whiteout files. Owners are written as the container sees them.
/// </summary>
internal static class ContainerDiffWriter
{
    public static void Write(string upperDir, IReadOnlyList<ContainerChange> changes, ArchiveIdMap map, Stream output, CancellationToken ct)
    {
        using var upper = new RootedFileSystem(upperDir);
        using var tar = new RootfsTarWriter(output, map, ct);
        foreach (var change in changes)
        {
            ct.ThrowIfCancellationRequested();
            string path = change.Path.TrimStart('/');
            if (change.Kind == ContainerChangeKind.Deleted)
            {
                int slash = path.LastIndexOf('/');
                tar.WriteEmptyFile(slash < 0 ? Whiteouts.Prefix + path : path[..(slash + 1)] + Whiteouts.Prefix + path[(slash + 1)..]);
                continue;
            }

            using var h = upper.TryOpenPath(path, followFinal: false);
            if (h is not null)
            {
                tar.WriteEntry(h, path);
            }
        }
    }
}
