using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Bulwark.Audit.Osv;

/// <summary>
/// The offline vulnerability database: OSV records filed by ecosystem and package name
/// (<c>ROOT/&lt;ecosystem&gt;/&lt;package&gt;.json</c>, each an array of the records that affect that package), so a scan
/// opens only the files of the packages it found. Imports replace records with the same id and write each file
/// atomically; a malformed input is refused before anything is written.
/// </summary>
public sealed class OsvDatabase
{
    private const string MetadataFile = "metadata.json";
    private readonly Dictionary<string, List<OsvVulnerability>> _cache = new(StringComparer.Ordinal);

    public OsvDatabase(string root) => Root = root;

    public string Root { get; }

    /// <summary>$BULWARK_SCAN_DB, else $XDG_CACHE_HOME/bulwark/osv, else ~/.cache/bulwark/osv.</summary>
    public static string DefaultRoot(Func<string, string?> environment)
    {
        if (environment("BULWARK_SCAN_DB") is { Length: > 0 } explicitRoot)
        {
            return explicitRoot;
        }

        string cache = environment("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : "/root", ".cache");
        return Path.Combine(cache, "bulwark", "osv");
    }

    public bool Exists => File.Exists(Path.Combine(Root, MetadataFile));

    public OsvDatabaseMetadata? ReadMetadata()
    {
        string path = Path.Combine(Root, MetadataFile);
        return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllBytes(path), OsvJsonContext.Default.OsvDatabaseMetadata) : null;
    }

    /// <summary>Imports one OSV JSON document, a JSON array of them, a directory of <c>.json</c> files, or a zip of them.</summary>
    public async Task<OsvImportResult> ImportAsync(string source, CancellationToken cancellationToken)
    {
        var records = await ReadSourceAsync(source, cancellationToken).ConfigureAwait(false);
        var groups = new Dictionary<(string Ecosystem, string Name), Dictionary<string, OsvVulnerability>>();
        int withdrawn = 0;
        foreach (var record in records)
        {
            if (record.Withdrawn is { Length: > 0 })
            {
                withdrawn++;
            }

            foreach (var affected in record.Affected ?? [])
            {
                if (affected.Package is not { Ecosystem.Length: > 0, Name.Length: > 0 } package)
                {
                    continue;
                }

                var key = (EcosystemBase(package.Ecosystem), package.Name);
                if (!groups.TryGetValue(key, out var byId))
                {
                    groups[key] = byId = new Dictionary<string, OsvVulnerability>(StringComparer.Ordinal);
                }

                byId[record.Id] = record;
            }
        }

        foreach (var ((ecosystem, name), byId) in groups)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = PackagePath(ecosystem, name);
            var existing = Load(path).Where(r => !byId.ContainsKey(r.Id));
            var merged = existing.Concat(byId.Values.Where(r => r.Withdrawn is not { Length: > 0 })).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await WriteAtomicAsync(path, JsonSerializer.SerializeToUtf8Bytes(merged, OsvJsonContext.Default.ListOsvVulnerability), cancellationToken)
                .ConfigureAwait(false);
        }

        _cache.Clear();
        var metadata = Recount();
        Directory.CreateDirectory(Root);
        await WriteAtomicAsync(Path.Combine(Root, MetadataFile), JsonSerializer.SerializeToUtf8Bytes(metadata, OsvJsonContext.Default.OsvDatabaseMetadata),
            cancellationToken).ConfigureAwait(false);
        return new OsvImportResult(records.Count, withdrawn, groups.Count, metadata.Records);
    }

    /// <summary>The records filed under <paramref name="ecosystem"/>'s base name and <paramref name="name"/>.</summary>
    public IReadOnlyList<OsvVulnerability> ForPackage(string ecosystem, string name)
    {
        string path = PackagePath(EcosystemBase(ecosystem), name);
        if (!_cache.TryGetValue(path, out var list))
        {
            _cache[path] = list = Load(path);
        }

        return list;
    }

    /// <summary>"Debian:12" → "Debian"; "crates.io" stays.</summary>
    public static string EcosystemBase(string ecosystem)
    {
        int colon = ecosystem.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? ecosystem : ecosystem[..colon];
    }

    private string PackagePath(string ecosystem, string name) => Path.Combine(Root, Escape(ecosystem), Escape(name) + ".json");

    /// <summary>A file name that is safe for any package name: bytes outside [A-Za-z0-9._+-] (and a leading dot) as %XX.</summary>
    internal static string Escape(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            char c = (char)b;
            bool plain = char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '-' || (c == '.' && sb.Length > 0);
            sb.Append(plain ? c.ToString() : $"%{b:X2}");
        }

        return sb.ToString();
    }

    private static List<OsvVulnerability> Load(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), OsvJsonContext.Default.ListOsvVulnerability) ?? [];
        }
        catch (JsonException ex)
        {
            throw new AuditException($"vulnerability database file {path} is corrupt ({ex.Message}); re-import the database", ex);
        }
    }

    private OsvDatabaseMetadata Recount()
    {
        var metadata = new OsvDatabaseMetadata { Updated = DateTimeOffset.UtcNow };
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(Root))
        {
            return metadata;
        }

        foreach (var dir in Directory.GetDirectories(Root))
        {
            var perEcosystem = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(dir, "*.json"))
            {
                foreach (var record in Load(file))
                {
                    perEcosystem.Add(record.Id);
                    ids.Add(record.Id);
                }
            }

            metadata.Ecosystems[Path.GetFileName(dir)] = perEcosystem.Count;
        }

        metadata.Records = ids.Count;
        return metadata;
    }

    private static async Task WriteAtomicAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        string temp = path + ".tmp-" + Environment.ProcessId;
        await File.WriteAllBytesAsync(temp, bytes, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    private static async Task<List<OsvVulnerability>> ReadSourceAsync(string source, CancellationToken cancellationToken)
    {
        var records = new List<OsvVulnerability>();
        if (Directory.Exists(source))
        {
            var files = Directory.GetFiles(source, "*.json", SearchOption.AllDirectories);
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                await using var stream = File.OpenRead(file);
                records.AddRange(await ParseAsync(stream, file, cancellationToken).ConfigureAwait(false));
            }
        }
        else if (!File.Exists(source))
        {
            throw new AuditException($"cannot import {source}: no such file or directory");
        }
        else if (IsZip(source))
        {
            using var zip = ZipFile.OpenRead(source);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                await using var stream = entry.Open();
                records.AddRange(await ParseAsync(stream, source + ":" + entry.FullName, cancellationToken).ConfigureAwait(false));
            }
        }
        else
        {
            await using var stream = File.OpenRead(source);
            records.AddRange(await ParseAsync(stream, source, cancellationToken).ConfigureAwait(false));
        }

        if (records.Count == 0)
        {
            throw new AuditException($"cannot import {source}: it holds no OSV records");
        }

        return records;
    }

    private static bool IsZip(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("PK\u0003\u0004"u8);
    }

    private static async Task<List<OsvVulnerability>> ParseAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new AuditException($"cannot import {name}: not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var elements = document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray().ToList()
                : [document.RootElement];
            var records = new List<OsvVulnerability>(elements.Count);
            for (int i = 0; i < elements.Count; i++)
            {
                string where = elements.Count == 1 && document.RootElement.ValueKind != JsonValueKind.Array ? name : $"{name}[{i}]";
                OsvVulnerability? record;
                try
                {
                    record = elements[i].ValueKind == JsonValueKind.Object ? elements[i].Deserialize(OsvJsonContext.Default.OsvVulnerability) : null;
                }
                catch (JsonException ex)
                {
                    throw new AuditException($"cannot import {where}: not an OSV record ({ex.Message})", ex);
                }

                if (record is not { Id.Length: > 0 })
                {
                    throw new AuditException($"cannot import {where}: not an OSV record (it has no \"id\")");
                }

                records.Add(record);
            }

            return records;
        }
    }
}
