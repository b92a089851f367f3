using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bulwark.Cli.Evidence;

/// <summary>
/// Checks an evidence bundle: manifest.sig is a valid signature over manifest.json by the given key, every file the
/// manifest lists is present with that size and sha256, and the tar holds no file the manifest does not list.
/// </summary>
internal static class EvidenceBundleVerifier
{
    /// <summary>Null when the bundle is intact, else the first problem, naming the file.</summary>
    public static async Task<string?> VerifyAsync(Stream tar, string publicKeyPem, CancellationToken ct)
    {
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var reader = new TarReader(tar);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    return $"{entry.Name}: unexpected entry type {entry.EntryType}";
                }
                using var ms = new MemoryStream();
                if (entry.DataStream is { } data)
                {
                    await data.CopyToAsync(ms, ct).ConfigureAwait(false);
                }
                if (!contents.TryAdd(entry.Name, ms.ToArray()))
                {
                    return $"{entry.Name}: present twice";
                }
            }
        }
        if (!contents.Remove("manifest.json", out byte[]? manifest))
        {
            return "manifest.json: missing";
        }
        if (!contents.Remove("manifest.sig", out byte[]? sig))
        {
            return "manifest.sig: missing";
        }
        using (var key = ECDsa.Create())
        {
            try
            {
                key.ImportFromPem(publicKeyPem);
            }
            catch (ArgumentException e)
            {
                throw new CliException(1, $"the key is not a PEM public key: {e.Message}");
            }
            byte[] signature;
            try
            {
                signature = Convert.FromBase64String(Encoding.ASCII.GetString(sig).Trim());
            }
            catch (FormatException)
            {
                return "manifest.sig: not base64";
            }
            if (!key.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return "manifest.json: the signature does not match (manifest changed, or signed by another key)";
            }
        }
        using var doc = JsonDocument.Parse(manifest);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in doc.RootElement.GetProperty("files").EnumerateArray())
        {
            string path = f.GetProperty("path").GetString() ?? "";
            listed.Add(path);
            if (!contents.TryGetValue(path, out byte[]? data))
            {
                return $"{path}: listed in the manifest but missing";
            }
            if (data.LongLength != f.GetProperty("size").GetInt64() ||
                !string.Equals(Convert.ToHexStringLower(SHA256.HashData(data)), f.GetProperty("sha256").GetString(), StringComparison.Ordinal))
            {
                return $"{path}: sha256 does not match the manifest";
            }
        }
        return contents.Keys.FirstOrDefault(k => !listed.Contains(k)) is { } extra ? $"{extra}: not listed in the manifest" : null;
    }
}
