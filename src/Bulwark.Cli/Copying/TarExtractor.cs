using System.Formats.Tar;

namespace Bulwark.Cli.Copying;

/// <summary>
/// Extracts a tar from the daemon under a host directory, renaming its top entry (<c>topName</c>) to
/// <c>rename</c> when given. The tar comes from a container, so it is not trusted: entries that would land outside
/// the directory (absolute, <c>..</c>, or through a symlink an earlier entry made) are refused, and an existing
/// symlink at a file's place is replaced, never written through.
/// </summary>
internal static class TarExtractor
{
    public static async Task ExtractAsync(Stream tar, string directory, string topName, string? rename, CancellationToken ct)
    {
        var root = Path.GetFullPath(directory);
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            var name = entry.Name.TrimStart('.', '/').Length == 0 ? "" : entry.Name;
            if (name.Length == 0)
            {
                continue;
            }

            name = Rename(name.TrimStart('/'), topName, rename);
            var target = Path.GetFullPath(Path.Combine(root, name));
            if (!target.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal) || ThroughSymlink(root, target))
            {
                throw new CliException(1, $"refusing to extract \"{entry.Name}\": it points outside {root}");
            }

            if (entry.EntryType is not TarEntryType.Directory && new FileInfo(target).LinkTarget is not null)
            {
                File.Delete(target);
            }

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    File.SetUnixFileMode(target, entry.Mode);
                    break;
                case TarEntryType.SymbolicLink:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.Delete(target);
                    File.CreateSymbolicLink(target, entry.LinkName);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    await entry.ExtractToFileAsync(target, overwrite: true, ct).ConfigureAwait(false);
                    break;
                case TarEntryType.HardLink:
                    var linked = Path.GetFullPath(Path.Combine(root, Rename(entry.LinkName.TrimStart('/'), topName, rename)));
                    if (!linked.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal) || ThroughSymlink(root, linked)
                        || new FileInfo(linked).LinkTarget is not null)
                    {
                        throw new CliException(1, $"refusing to extract \"{entry.Name}\": its link points outside {root}");
                    }

                    File.Copy(linked, target, overwrite: true);
                    break;
                default:
                    // Devices, FIFOs and PAX headers are not recreated on the host (docker cp needs root for them too).
                    break;
            }
        }
    }

    /// <summary>True when a directory between <paramref name="root"/> and <paramref name="target"/> is a symlink.</summary>
    private static bool ThroughSymlink(string root, string target)
    {
        var current = root.TrimEnd('/');
        var parts = Path.GetRelativePath(root, target).Split('/');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current += "/" + parts[i];
            if (new DirectoryInfo(current).LinkTarget is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static string Rename(string name, string topName, string? rename)
    {
        if (rename is null)
        {
            return name;
        }

        if (name == topName || name == topName + "/")
        {
            return rename;
        }

        return name.StartsWith(topName + "/", StringComparison.Ordinal) ? rename + name[topName.Length..] : name;
    }
}
