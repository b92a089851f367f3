using System.Formats.Tar;
using Bulwark.Audit.Sbom;

namespace Bulwark.Audit.Images;

/// <summary>
/// Applies an image's layers in order (whiteouts and opaque directories included) and keeps only what the SBOM needs:
/// the package databases, os-release, and the embedded module lists of executable ELF files.
/// </summary>
internal sealed class LayerWalker
{
    private const long MaxDatabaseBytes = 256L * 1024 * 1024;
    private const long MaxBinaryBytes = 512L * 1024 * 1024;
    private readonly SortedDictionary<string, LayerFile> _files = new(StringComparer.Ordinal);

    public async Task ApplyAsync(int layer, TarReader reader, CancellationToken cancellationToken)
    {
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            string name = Normalize(entry.Name);
            if (name.Length == 0)
            {
                continue;
            }

            int slash = name.LastIndexOf('/');
            string dir = slash < 0 ? "" : name[..slash];
            string baseName = name[(slash + 1)..];
            if (baseName == ".wh..wh..opq")
            {
                RemoveBelow(layer, dir, includeSelf: false);
                continue;
            }

            if (baseName.StartsWith(".wh.", StringComparison.Ordinal))
            {
                RemoveBelow(layer, (dir.Length > 0 ? dir + "/" : "") + baseName[4..], includeSelf: true);
                continue;
            }

            _files.Remove(name);
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile when entry.DataStream is { } data:
                    await ReadFileAsync(layer, name, entry, data, cancellationToken).ConfigureAwait(false);
                    break;
                case TarEntryType.SymbolicLink when IsDatabase(name):
                    _files[name] = new LayerFile(layer, null, entry.LinkName, null);
                    break;
                case TarEntryType.HardLink when _files.TryGetValue(Normalize(entry.LinkName), out var target):
                    _files[name] = target with { Layer = layer };
                    break;
                default:
                    break;
            }
        }
    }

    private async Task ReadFileAsync(int layer, string name, TarEntry entry, Stream data, CancellationToken cancellationToken)
    {
        bool database = IsDatabase(name);
        bool executable = ((int)entry.Mode & 0b001_001_001) != 0 && entry.Length is >= 64 and <= MaxBinaryBytes;
        if (!database && !executable)
        {
            return;
        }

        if (database && entry.Length > MaxDatabaseBytes)
        {
            throw new AuditException($"{name} in the image is larger than {MaxDatabaseBytes / (1024 * 1024)} MiB; refusing to read it");
        }

        if (!database)
        {
            var magic = new byte[4];
            int got = await data.ReadAtLeastAsync(magic, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (got < 4 || !magic.AsSpan().SequenceEqual("\u007fELF"u8))
            {
                return;
            }

            var whole = new byte[entry.Length];
            magic.CopyTo(whole, 0);
            await data.ReadExactlyAsync(whole.AsMemory(4), cancellationToken).ConfigureAwait(false);
            string location = "/" + name;
            var packages = GoBuildInfoReader.Read(whole, location).Concat(CargoAuditableReader.Read(whole, location)).ToList();
            if (packages.Count > 0)
            {
                _files[name] = new LayerFile(layer, null, null, packages);
            }

            return;
        }

        var content = new byte[entry.Length];
        await data.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        _files[name] = new LayerFile(layer, content, null, null);
    }

    /// <summary>The SBOM of the walked layers.</summary>
    public (OsRelease? Os, List<SbomPackage> Packages) Build()
    {
        var os = ReadText("etc/os-release") is { } etc ? OsRelease.Parse(etc) : null;
        os ??= ReadText("usr/lib/os-release") is { } lib ? OsRelease.Parse(lib) : null;
        var packages = new List<SbomPackage>();
        if (ReadText("var/lib/dpkg/status") is { } status)
        {
            packages.AddRange(DpkgStatusParser.Parse(status, "/var/lib/dpkg/status", os));
        }

        foreach (var (path, file) in _files)
        {
            if (path.StartsWith("var/lib/dpkg/status.d/", StringComparison.Ordinal) && !path.EndsWith(".md5sums", StringComparison.Ordinal) && file.Content is { } c)
            {
                packages.AddRange(DpkgStatusParser.Parse(System.Text.Encoding.UTF8.GetString(c), "/" + path, os));
            }
        }

        if (ReadText("lib/apk/db/installed") is { } apk)
        {
            packages.AddRange(ApkInstalledParser.Parse(apk, "/lib/apk/db/installed", os));
        }

        foreach (string db in RpmDatabases)
        {
            if (ReadBytes(db) is { } rpmdb)
            {
                packages.AddRange(RpmDatabaseReader.Read(rpmdb, ReadBytes(db + "-wal"), "/" + db, os));
                break;
            }
        }

        foreach (var file in _files.Values)
        {
            packages.AddRange(file.BinaryPackages ?? []);
        }

        return (os, packages);
    }

    private string? ReadText(string path) => ReadBytes(path) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    private byte[]? ReadBytes(string path)
    {
        for (int hop = 0; hop < 8; hop++)
        {
            if (!_files.TryGetValue(path, out var file))
            {
                return null;
            }

            if (file.Content is { } content)
            {
                return content;
            }

            if (file.LinkTarget is not { } link)
            {
                return null;
            }

            int slash = path.LastIndexOf('/');
            path = Normalize(link.StartsWith('/') ? link : (slash < 0 ? "" : path[..(slash + 1)]) + link);
        }

        return null;
    }

    /// <summary>Where rpm keeps its SQLite database (Fedora 36+ moved it to /usr/lib/sysimage, /var/lib/rpm links there).</summary>
    private static readonly string[] RpmDatabases = ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"];

    private static bool IsDatabase(string name) =>
        name is "etc/os-release" or "usr/lib/os-release" or "var/lib/dpkg/status" or "lib/apk/db/installed"
        || RpmDatabases.Any(db => name == db || name == db + "-wal")
        || name.StartsWith("var/lib/dpkg/status.d/", StringComparison.Ordinal);

    private void RemoveBelow(int layer, string path, bool includeSelf)
    {
        var prefix = path.Length > 0 ? path + "/" : "";
        foreach (var key in _files.Keys.Where(k => (includeSelf && k == path) || k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            if (_files[key].Layer < layer)
            {
                _files.Remove(key);
            }
        }
    }

    /// <summary>"./usr/../etc/x/" → "etc/x": relative to the image root, never above it.</summary>
    internal static string Normalize(string name)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }
}
