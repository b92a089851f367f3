using System.Formats.Tar;

namespace Bulwark.Cli.Copying;

/// <summary>Writes a host file or directory tree as a tar whose top entry is named <c>entryName</c>.</summary>
internal static class TarBuilder
{
    public static async Task WriteAsync(Stream output, string source, string entryName, CancellationToken ct)
    {
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await writer.WriteEntryAsync(source, entryName, ct).ConfigureAwait(false);
        if (Directory.Exists(source) && new DirectoryInfo(source).LinkTarget is null)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(source, "*", new EnumerationOptions
            {
                RecurseSubdirectories = true,
                AttributesToSkip = 0,
                IgnoreInaccessible = false,
            }))
            {
                var relative = Path.GetRelativePath(source, path).Replace(Path.DirectorySeparatorChar, '/');
                await writer.WriteEntryAsync(path, entryName + "/" + relative, ct).ConfigureAwait(false);
            }
        }
    }
}
