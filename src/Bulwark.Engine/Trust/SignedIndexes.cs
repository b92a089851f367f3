using System.Security.Cryptography;
using System.Text.Json;

namespace Bulwark.Engine.Trust;

/// <summary>
/// The image indexes (OCI index / Docker manifest list) that pulls resolved to a platform manifest, kept by digest under
/// <c>&lt;data-root&gt;/trust/indexes/</c> so that a signature over an index can later vouch for the platform manifest the local
/// image was made from. Each file holds the index's exact bytes and is checked against its digest on every read: a file that
/// was altered or cut short vouches for nothing.
/// </summary>
public sealed class SignedIndexes(string directory)
{
    /// <summary>An index larger than this is not kept (registries refuse manifests above 4 MiB).</summary>
    public const int MaxIndexBytes = 4 * 1024 * 1024;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public string Directory { get; } = directory;

    /// <summary>Keeps <paramref name="bytes"/> as index <paramref name="digest"/> ("sha256:…") when the bytes hash to it; otherwise keeps nothing.</summary>
    public void Remember(string digest, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxIndexBytes || HexOf(digest) is not { } hex || Convert.ToHexStringLower(SHA256.HashData(bytes)) != hex)
        {
            return;
        }

        System.IO.Directory.CreateDirectory(Directory);
        string path = Path.Combine(Directory, hex + ".json");
        if (File.Exists(path))
        {
            return;
        }

        string temp = path + ".tmp-" + Path.GetRandomFileName();
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The manifest digests index <paramref name="indexDigest"/> lists; empty when it is not kept or no longer hashes to its digest.</summary>
    public IReadOnlyList<string> ManifestsOf(string indexDigest)
    {
        if (HexOf(indexDigest) is not { } hex)
        {
            return [];
        }

        string path = Path.Combine(Directory, hex + ".json");
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxIndexBytes)
            {
                return [];
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return [];
        }

        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != hex)
        {
            return [];
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("manifests", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            return list.EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null)
                .OfType<string>()
                .ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>The kept indexes that list <paramref name="manifestDigest"/>, each re-checked against its digest.</summary>
    public IReadOnlyList<string> IndexesListing(string manifestDigest)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        return System.IO.Directory.EnumerateFiles(Directory, "*.json")
            .Select(f => "sha256:" + Path.GetFileNameWithoutExtension(f))
            .Where(index => ManifestsOf(index).Contains(manifestDigest, StringComparer.Ordinal))
            .ToList();
    }

    private static string? HexOf(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71
            && digest.AsSpan(7).IndexOfAnyExcept(LowerHex) < 0
            ? digest[7..]
            : null;
}
