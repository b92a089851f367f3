using Bulwark.Engine.Images;

namespace Bulwark.Engine.Tests.Images;

/// <summary>A comparable description of a store: images, tags, blobs, snapshots, temp dirs.</summary>
public static class StoreSnapshot
{
    public static string Of(ImageService images)
    {
        var list = images.List().Select(i => i.Id + "=" + string.Join(',', i.RepoTags)).Order();
        var blobs = Directory.EnumerateFiles(Path.Combine(images.DataRoot, "content/blobs/sha256")).Select(Path.GetFileName).Order();
        var ingest = Directory.EnumerateFileSystemEntries(Path.Combine(images.DataRoot, "content/ingest")).Order();
        var snaps = Directory.EnumerateFileSystemEntries(images.SnapshotsRoot).Select(Path.GetFileName).Order();
        var tmp = Directory.EnumerateFileSystemEntries(Path.Combine(images.DataRoot, "tmp")).Order();
        return string.Join('\n', list) + "\n--\n" + string.Join('\n', blobs) + "\n--\n" + string.Join('\n', ingest)
            + "\n--\n" + string.Join('\n', snaps) + "\n--\n" + string.Join('\n', tmp);
    }
}
