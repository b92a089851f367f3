using System.Formats.Tar;

namespace Bulwark.Cli.Copying;

/// <summary>
/// Extracts a tar from the daemon under a host directory, renaming its top entry (<c>topName</c>) to
/// <c>rename</c> when given. Entries that would land outside the directory (absolute, <c>..</c>) are refused.
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
            if (!target.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                throw new CliException(1, $"refusing to extract \"{entry.Name}\": it points outside {root}");
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
                    if (!linked.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
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
