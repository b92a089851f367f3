using System.Text;
using System.Text.Json;

namespace Bulwark.Engine.Tests.Trust.Policy;

/// <summary>Paths of the signature test vectors under Fixtures/ (see its README), and readers for containers/image's dir: layout.</summary>
internal static class PolicyFixtures
{
    public static string Dir(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Trust", "Policy", "Fixtures", .. parts]);

    /// <summary>sha256 of a dir: image's manifest.json, as "sha256:hex".</summary>
    public static string ManifestDigest(string imageDir) =>
        "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(imageDir, "manifest.json"))));

    /// <summary>A dir: sigstore signature file: "\0sigstore-json\n" then {mimeType, payload (base64), annotations}.</summary>
    public static (byte[] Payload, byte[] Signature) ReadSigstore(string file)
    {
        byte[] bytes = File.ReadAllBytes(file);
        byte[] prefix = Encoding.ASCII.GetBytes("\0sigstore-json\n");
        Assert.True(bytes.AsSpan().StartsWith(prefix), file + " is not a sigstore-json signature");
        using var doc = JsonDocument.Parse(bytes.AsMemory(prefix.Length));
        return (Convert.FromBase64String(doc.RootElement.GetProperty("payload").GetString()!),
            Convert.FromBase64String(doc.RootElement.GetProperty("annotations").GetProperty("dev.cosignproject.cosign/signature").GetString()!));
    }
}
