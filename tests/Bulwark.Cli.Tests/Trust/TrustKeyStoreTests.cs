using System.Security.Cryptography;
using Bulwark.Cli.Trust;

namespace Bulwark.Cli.Tests.Trust;

public sealed class TrustKeyStoreTests : IDisposable
{
    // A key made by `docker trust key generate alice` (docker CLI 28), passphrase "pw": its file name is its notary key id.
    private const string DockerKeyId = "504896fa332d939ce8d2d92dde413002e34bde0a42464187e0f18bd29edd543f";
    private const string DockerPublic = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEH7FZ7m0H0lsCbE4rtu97K9gfE/IMBnuV0oraNiE7Fz2h55gzxzn3/ATWePhNSI4z+qTAiRF9kFgZ8pnpdRYCEw==";
    private readonly string dir = Path.Combine(Path.GetTempPath(), "bwkeys-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void KeyId_IsNotarysIdOfTheEcdsaPublicKey_AsTheDockerCliNamesTheFile()
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(DockerPublic), out _);
        Assert.Equal(DockerKeyId, TrustKeyStore.KeyId(key));
    }

    [Fact]
    public void ReadPrivateKey_DecryptsADockerCliKeyWithItsRoleHeader()
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "docker.key");
        File.WriteAllText(path, DockerKeyPem);
        using var key = TrustKeyStore.ReadPrivateKey(path, "pw");
        Assert.Equal(DockerKeyId, TrustKeyStore.KeyId(key));
        var wrong = Assert.Throws<CliException>(() => TrustKeyStore.ReadPrivateKey(path, "not-it"));
        Assert.Contains("does not decrypt it", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_WritesAnEncryptedRoleKeyNamedByItsId_0600_ThatReadsBack()
    {
        var store = new TrustKeyStore(dir);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string id = store.Save(key, "alice", "secret");
        string path = Path.Combine(dir, "trust", "private", id + ".key");
        string text = File.ReadAllText(path);
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\nrole: alice\n\n", text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var back = TrustKeyStore.ReadPrivateKey(path, "secret");
        Assert.Equal(id, TrustKeyStore.KeyId(back));
        Assert.Contains("role: alice", TrustKeyStore.PublicPem(key, "alice"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Alice")]
    [InlineData("releases")]
    [InlineData("-x")]
    [InlineData("a/b")]
    public void ValidateName_RefusesWhatTheDockerCliRefuses(string name) =>
        Assert.Throws<CliException>(() => TrustKeyStore.ValidateName(name));

    private const string DockerKeyPem = """
-----BEGIN ENCRYPTED PRIVATE KEY-----
role: alice

MIHuMEkGCSqGSIb3DQEFDTA8MBsGCSqGSIb3DQEFDDAOBAhQvv5ikgrmlgICCAAw
HQYJYIZIAWUDBAEqBBAdZ7BVFb8Z3Nj+grSy0LtEBIGgIhTv1G6io9VVkY/gO0R+
0mJK2MSxtVyH9nEX7v3IgL6NitGFtpnwqcDz9AnhaSAU99U0C8h8ro1+sHod2C+M
3LMa5Y1bC2jJb2alxOUlNpk95mY3ozDwlA6iO5v7o2hlrcANzKRZkw198NoXPRNZ
iXEikwiglij9WSAF5A32XR3nucjfT1C7ji5eHTMO5xRafvZiXqBnv/fj094fWpS0
3g==
-----END ENCRYPTED PRIVATE KEY-----
""";
}
