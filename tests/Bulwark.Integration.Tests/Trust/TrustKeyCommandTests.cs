using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>
/// <c>bulwark trust key generate|load</c> write into the docker CLI's key store: the docker CLI then adds the public keys as
/// signers and signs a tag with the private keys bulwark encrypted (it must find and decrypt them), and notary-server and
/// <c>docker trust inspect</c> list the tag as signed by both.
/// </summary>
[Collection(ContentTrustCollection.Name)]
public sealed class TrustKeyCommandTests(ContentTrustFixture fx)
{
    [Fact]
    public async Task GeneratedAndLoadedKeys_AreUsedByDockerTrustSignerAddAndDockerTrustSign()
    {
        string repo = $"{fx.Registry.Host}/team/bulwarkkeys";
        await fx.PushSignedAsync(repo + ":init");
        string dir = Path.Combine(fx.Publisher.Root, "keys-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);

        var generate = await BulwarkAsync("trust", "key", "generate", "carol", "--dir", dir);
        Assert.True(generate.ExitCode == 0, generate.ToString());
        Assert.Contains("Successfully generated and loaded private key. Corresponding public key available: " + Path.Combine(dir, "carol.pub"),
            generate.Stdout, StringComparison.Ordinal);
        string stored = Directory.GetFiles(Path.Combine(fx.SignerConfig, "trust", "private"), "*.key")
            .Single(f => File.ReadAllText(f).Contains("role: carol", StringComparison.Ordinal));
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", await File.ReadAllTextAsync(stored), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stored));

        string sec1 = Path.Combine(dir, "dave.pem");
        var make = await ProcessRunner.RunAsync("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", sec1]);
        Assert.True(make.ExitCode == 0, make.ToString());
        var pub = await ProcessRunner.RunAsync("openssl", ["ec", "-in", sec1, "-pubout", "-out", Path.Combine(dir, "dave.pub")]);
        Assert.True(pub.ExitCode == 0, pub.ToString());
        var load = await BulwarkAsync("trust", "key", "load", sec1, "--name", "dave");
        Assert.True(load.ExitCode == 0, load.ToString());

        foreach (string signer in new[] { "carol", "dave" })
        {
            var add = await fx.SignerDockerAsync(trust: false, "trust", "signer", "add", "--key", Path.Combine(dir, signer + ".pub"), signer, repo);
            Assert.True(add.ExitCode == 0, add + fx.Notary.Log);
        }

        await fx.ImportUniqueAsync(repo + ":rel");
        var sign = await fx.SignerDockerAsync(trust: false, "trust", "sign", repo + ":rel");
        Assert.True(sign.ExitCode == 0, sign + fx.Notary.Log);
        var inspect = await fx.SignerDockerAsync(trust: false, "trust", "inspect", repo + ":rel");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var doc = JsonDocument.Parse(inspect.Stdout);
        var signers = doc.RootElement[0].GetProperty("SignedTags")[0].GetProperty("Signers").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Contains("carol", signers);
        Assert.Contains("dave", signers);
    }

    [Fact]
    public async Task Generate_WithoutThePassphraseVariable_FailsNamingIt_AndWritesNothing()
    {
        string config = Path.Combine(fx.Publisher.Root, "nopass-" + Guid.NewGuid().ToString("N")[..6]);
        var result = await ProcessRunner.RunAsync(RepoPaths.Cli, ["trust", "key", "generate", "erin", "--dir", config],
            new Dictionary<string, string> { ["DOCKER_CONFIG"] = config, ["DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE"] = "" });
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE is not set", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(config));

        var badName = await BulwarkAsync("trust", "key", "generate", "Releases!");
        Assert.Equal(1, badName.ExitCode);
        Assert.Contains("invalid signer name", badName.Stderr, StringComparison.Ordinal);
    }

    private Task<CommandResult> BulwarkAsync(params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.Cli, args, new Dictionary<string, string>
        {
            ["DOCKER_CONFIG"] = fx.SignerConfig,
            ["DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE"] = ContentTrustFixture.RepositoryPassphrase,
        });
}
