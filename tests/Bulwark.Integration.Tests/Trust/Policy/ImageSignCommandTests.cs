using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust.Policy;

/// <summary>
/// <c>bulwark image sign</c> writes simple-signing signatures that skopeo 1.9.3 accepts under a signedBy policy (and refuses
/// under another key), and that bulwarkd enforces; <c>bulwark image verify --key</c> exits 0 for a signature by the key and 1
/// with the reason otherwise, for GPG and cosign signatures alike.
/// </summary>
[Collection(SignedImageCollection.Name)]
public sealed class ImageSignCommandTests(SignedImageLab lab)
{
    private string DaemonJsonTrustOff => $$$$"""{"content-trust": {"registries-d": "{{{{lab.RegistriesD}}}}"}}""";

    private async Task<string> SecretKeyringAsync()
    {
        string file = Path.Combine(lab.Root, "secret-" + Guid.NewGuid().ToString("N")[..6] + ".gpg");
        var export = await ProcessRunner.RunAsync("gpg", ["--batch", "--output", file, "--export-secret-keys", lab.Fingerprint],
            new Dictionary<string, string> { ["GNUPGHOME"] = lab.GnupgHome });
        Assert.True(export.ExitCode == 0, export.ToString());
        return file;
    }

    private Task<CommandResult> SkopeoVerifyingCopyAsync(string image, string keyring)
    {
        string policy = Path.Combine(lab.Root, "skopeo-policy-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        File.WriteAllText(policy, lab.SignedByPolicy(keyring));
        string to = Path.Combine(lab.Root, "out-" + Guid.NewGuid().ToString("N")[..6]);
        return ProcessRunner.RunAsync("skopeo", ["--policy", policy, "--registries.d", lab.RegistriesD, "copy", "--src-tls-verify=false",
            "docker://" + image, "dir:" + to], timeout: TimeSpan.FromSeconds(120));
    }

    [Fact]
    public async Task BulwarkSignature_IsAcceptedBySkopeoSignedByPolicy_AndRefusedUnderAnotherKey()
    {
        string image = lab.Repo("bulwark-signed") + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: false);
        await using var d = await DaemonInstance.StartAsync(DaemonJsonTrustOff);
        var pull = await d.DockerAsync("pull", image);
        Assert.True(pull.ExitCode == 0, pull + d.DaemonLog);
        var before = await SkopeoVerifyingCopyAsync(image, lab.SignerKeyring);
        Assert.NotEqual(0, before.ExitCode); // unsigned so far: skopeo refuses it

        var sign = await d.CliAsync("image", "sign", "--key", await SecretKeyringAsync(), "--sigstore-dir", lab.Lookaside, image);

        Assert.True(sign.ExitCode == 0, sign.ToString());
        Assert.Contains(digest, sign.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(lab.LookasideFolder(lab.Repo("bulwark-signed"), digest), "signature-1")));
        var accepted = await SkopeoVerifyingCopyAsync(image, lab.SignerKeyring);
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        var refused = await SkopeoVerifyingCopyAsync(image, lab.OtherKeyring);
        Assert.NotEqual(0, refused.ExitCode);
    }

    [Fact]
    public async Task BulwarkSignature_IsEnforcedByBulwarkd_AndVerifiedByImageVerify()
    {
        string image = lab.Repo("bulwark-roundtrip") + ":v1";
        var (dir, _) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: false);
        await using (var signer = await DaemonInstance.StartAsync(DaemonJsonTrustOff))
        {
            Assert.Equal(0, (await signer.DockerAsync("pull", image)).ExitCode);
            var sign = await signer.CliAsync("image", "sign", "--key", await SecretKeyringAsync(), "--sigstore-dir", lab.Lookaside, image);
            Assert.True(sign.ExitCode == 0, sign.ToString());

            var ok = await signer.CliAsync("image", "verify", "--key", lab.SignerKeyring, image);
            Assert.True(ok.ExitCode == 0, ok + signer.DaemonLog);
            Assert.Contains("verified (simple signature)", ok.Stdout, StringComparison.Ordinal);
            var wrong = await signer.CliAsync("image", "verify", "--key", lab.OtherKeyring, image);
            Assert.Equal(1, wrong.ExitCode);
            Assert.Contains("wrong-key", wrong.Stderr, StringComparison.Ordinal);
        }

        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.SignedByPolicy()));
        var run = await d.DockerAsync("run", "--rm", "--network", "none", image, "cat", "/marker");
        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
    }

    [Fact]
    public async Task ImageVerify_CosignPublicKey_ChecksTheAttachedSignature()
    {
        string image = lab.Repo("verify-cosign") + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        await lab.AddCosignSignatureAsync(dir, digest, lab.Repo("verify-cosign"));
        await lab.PushAsync(dir, image, sign: false);
        await using var d = await DaemonInstance.StartAsync(DaemonJsonTrustOff);
        Assert.Equal(0, (await d.DockerAsync("pull", image)).ExitCode);

        var ok = await d.CliAsync("image", "verify", "--key", lab.CosignPublicKey, image);
        Assert.True(ok.ExitCode == 0, ok + d.DaemonLog);
        Assert.Contains("verified (cosign signature)", ok.Stdout, StringComparison.Ordinal);

        string stranger = Path.Combine(lab.Root, "stranger-" + Guid.NewGuid().ToString("N")[..6] + ".pub");
        using (var k = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(stranger, k.ExportSubjectPublicKeyInfoPem());
        }

        var wrong = await d.CliAsync("image", "verify", "--key", stranger, image);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("wrong-key", wrong.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageSign_OfAnImageWithoutARegistryDigest_FailsNamingTheCause()
    {
        await using var d = await DaemonInstance.StartAsync(DaemonJsonTrustOff);
        await d.ImportBusyboxAsync(lab.Repo("local-only") + ":v1");

        var sign = await d.CliAsync("image", "sign", "--key", await SecretKeyringAsync(), "--sigstore-dir", lab.Lookaside, lab.Repo("local-only") + ":v1");

        Assert.Equal(1, sign.ExitCode);
        Assert.Contains("has no digest in", sign.Stderr, StringComparison.Ordinal);
    }
}
