using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Cli.Evidence;

namespace Bulwark.Cli.Tests.Evidence;

public sealed class EvidenceBundleVerifierTests
{
    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private static string PublicPem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem();

    private static string Manifest(IEnumerable<(string Name, byte[] Data)> files) =>
        "{\"container\":\"c\",\"files\":[" + string.Join(",", files.Select(f =>
            $"{{\"path\":\"{f.Name}\",\"size\":{f.Data.Length},\"sha256\":\"{Convert.ToHexStringLower(SHA256.HashData(f.Data))}\"}}")) + "]}";

    private static MemoryStream Bundle(IEnumerable<(string Name, byte[] Data)> files, byte[] manifest, ECDsa signer)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            byte[] sig = Encoding.ASCII.GetBytes(Convert.ToBase64String(
                signer.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)));
            foreach (var (name, data) in files.Append(("manifest.json", manifest)).Append(("manifest.sig", sig)))
            {
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }
        ms.Position = 0;
        return ms;
    }

    private static readonly (string, byte[])[] Files = [("inspect.json", "{}"u8.ToArray()), ("logs/container-json.log", "line\n"u8.ToArray())];

    [Fact]
    public async Task IntactBundle_Verifies()
    {
        using var b = Bundle(Files, Encoding.UTF8.GetBytes(Manifest(Files)), Key);
        Assert.Null(await EvidenceBundleVerifier.VerifyAsync(b, PublicPem(Key), CancellationToken.None));
    }

    [Fact]
    public async Task ChangedFile_NamesThatFile()
    {
        (string, byte[])[] changed = [Files[0], ("logs/container-json.log", "other\n"u8.ToArray())];
        using var b = Bundle(changed, Encoding.UTF8.GetBytes(Manifest(Files)), Key);
        Assert.Equal("logs/container-json.log: sha256 does not match the manifest", await EvidenceBundleVerifier.VerifyAsync(b, PublicPem(Key), CancellationToken.None));
    }

    [Fact]
    public async Task OtherKey_FailsTheSignature()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var b = Bundle(Files, Encoding.UTF8.GetBytes(Manifest(Files)), other);
        Assert.StartsWith("manifest.json: the signature does not match", await EvidenceBundleVerifier.VerifyAsync(b, PublicPem(Key), CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnlistedOrMissingFile_IsNamed()
    {
        (string, byte[])[] extra = [.. Files, ("planted", "x"u8.ToArray())];
        using var b = Bundle(extra, Encoding.UTF8.GetBytes(Manifest(Files)), Key);
        Assert.Equal("planted: not listed in the manifest", await EvidenceBundleVerifier.VerifyAsync(b, PublicPem(Key), CancellationToken.None));
        using var m = Bundle(Files[..1], Encoding.UTF8.GetBytes(Manifest(Files)), Key);
        Assert.Equal("logs/container-json.log: listed in the manifest but missing", await EvidenceBundleVerifier.VerifyAsync(m, PublicPem(Key), CancellationToken.None));
    }
}
