using System.Formats.Tar;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images.Layers;

namespace Bulwark.Engine.Images.Archives;

/// <summary>
/// An image archive spooled to a private temp directory so that it can be read in any order (the input may
/// be non-seekable, and manifest.json often comes last). Archive paths never become file system paths:
/// regular files are stored as numbered temp files and symlinks/hardlinks are resolved by name.
/// </summary>
internal sealed class ArchiveSpool
{
    private const int MaxLinkDepth = 16;
    private readonly Dictionary<string, string> files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> links = new(StringComparer.Ordinal);

    private ArchiveSpool()
    {
    }

    public static async Task<ArchiveSpool> ExtractAsync(Stream archive, string tempDir, CancellationToken ct)
    {
        var spool = new ArchiveSpool();
        Directory.CreateDirectory(tempDir);
        int n = 0;
        Stream tar;
        try
        {
            tar = LayerStreams.OpenDecompressed(archive, "invalid archive", out _);
        }
        catch (IOException ex)
        {
            throw EngineException.Invalid($"invalid archive: unreadable: {ex.Message}");
        }

        string current = "(start of archive)";
        try
        {
            await using (tar.ConfigureAwait(false))
            {
                var reader = new TarReader(tar, leaveOpen: true);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
                    {
                        current = entry.Name;
                        string? name = LayerApplier.CleanPath(entry.Name);
                        if (name is null || name.Length == 0)
                        {
                            continue;
                        }

                        switch (entry.EntryType)
                        {
                            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                                string file = Path.Combine(tempDir, (n++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                                var fs = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
                                await using (fs.ConfigureAwait(false))
                                {
                                    if (entry.DataStream is { } data)
                                    {
                                        await data.CopyToAsync(fs, ct).ConfigureAwait(false);
                                    }
                                }

                                spool.files[name] = file;
                                spool.links.Remove(name);
                                break;
                            case TarEntryType.SymbolicLink:
                                string dir = name.Contains('/', StringComparison.Ordinal) ? name[..name.LastIndexOf('/')] : string.Empty;
                                string? target = entry.LinkName.StartsWith('/') ? LayerApplier.CleanPath(entry.LinkName)
                                    : LayerApplier.CleanPath(dir.Length == 0 ? entry.LinkName : dir + "/" + entry.LinkName);
                                if (target is not null)
                                {
                                    spool.links[name] = target;
                                }

                                break;
                            case TarEntryType.HardLink:
                                if (LayerApplier.CleanPath(entry.LinkName) is { } hl)
                                {
                                    spool.links[name] = hl;
                                }

                                break;
                            default:
                                break;
                        }
                    }
                }
            }
        }
        catch (EngineException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (IOException ex) when (DiskFull.Is(ex))
        {
            // The caller removes the spool directory.
            throw DiskFull.Error("load", Path.GetDirectoryName(tempDir) ?? tempDir, ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException or ArgumentException
            or ZstdSharp.ZstdException or InvalidOperationException)
        {
            throw EngineException.Invalid($"invalid archive: corrupt tar after {current}: {ex.Message}");
        }

        return spool;
    }

    public bool Has(string name) => Resolve(name) is not null;

    /// <summary>The spooled file behind an archive path (following symlinks/hardlinks by name), or null.</summary>
    public string? Resolve(string name)
    {
        string? key = LayerApplier.CleanPath(name);
        for (int i = 0; key is not null && i < MaxLinkDepth; i++)
        {
            if (files.TryGetValue(key, out var file))
            {
                return file;
            }

            if (!links.TryGetValue(key, out key))
            {
                return null;
            }
        }

        return null;
    }

    public byte[] ReadAll(string name, string what)
    {
        string file = Resolve(name) ?? throw EngineException.Invalid($"invalid archive: {what} missing");
        var info = new FileInfo(file);
        if (info.Length > 64L << 20)
        {
            throw EngineException.Invalid($"invalid archive: {what} larger than 64 MiB");
        }

        return File.ReadAllBytes(file);
    }
}
