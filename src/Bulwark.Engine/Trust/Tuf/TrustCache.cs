using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Tuf;

namespace Bulwark.Engine.Trust.Tuf;

/// <summary>
/// The last fully verified metadata of each repository: one file per GUN under <c>&lt;data-root&gt;/trust/tuf/</c>, holding the exact
/// bytes of every role. It is replaced in one rename, and only after a complete successful update, so a failed or interrupted
/// update never leaves a mix of old and new roles.
/// </summary>
public sealed class TrustCache(string directory)
{
    public string Directory { get; } = directory;

    public IReadOnlyDictionary<string, byte[]>? Load(string gun)
    {
        string path = PathOf(gun);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (SignedMetadata.Str(doc.RootElement, "gun") != gun || !doc.RootElement.TryGetProperty("roles", out var roles))
            {
                return null;
            }

            return roles.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBytesFromBase64(), StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or IOException)
        {
            return null; // an unreadable cache is no cache: the next update starts from the pin again
        }
    }

    public void Save(string gun, IReadOnlyDictionary<string, byte[]> roles)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string path = PathOf(gun);
        string temp = path + ".tmp-" + Path.GetRandomFileName();
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var w = new Utf8JsonWriter(file))
            {
                w.WriteStartObject();
                w.WriteString("gun", gun);
                w.WriteStartObject("roles");
                foreach (var (role, bytes) in roles)
                {
                    w.WriteBase64String(role, bytes);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public void Remove(string gun) => File.Delete(PathOf(gun));

    private string PathOf(string gun) =>
        Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(gun))) + ".json");
}
