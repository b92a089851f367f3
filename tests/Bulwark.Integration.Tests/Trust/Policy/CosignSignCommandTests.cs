using System.Security.Cryptography;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust.Policy;

/// <summary>
/// <c>bulwark image sign --format cosign --key KEY</c> pushes the legacy <c>sha256-&lt;hex&gt;.sig</c> attachment to the
/// local docker-registry: <c>bulwark image verify</c> accepts it with the public key and refuses another key; a second
/// signature is appended beside the first; bulwarkd's enforced <c>sigstoreSigned</c> policy runs the image. Keys that are
/// not an unencrypted P-256 PEM are refused naming the cause.
/// </summary>
[Collection(SignedImageCollection.Name)]
public sealed class CosignSignCommandTests(SignedImageLab lab)
{
    private string DaemonJsonTrustOff => $$$$"""{"content-trust": {"registries-d": "{{{{lab.RegistriesD}}}}"}}""";

    private string WriteKey(string pem)
    {
        string file = Path.Combine(lab.Root, "cosign-" + Guid.NewGuid().ToString("N")[..6] + ".key");
        File.WriteAllText(file, pem);
        return file;
    }

    [Fact]
    public async Task CosignSignature_ByBulwark_IsVerified_AppendedToAnExistingSig_AndEnforcedByBulwarkd()
    {
        string image = lab.Repo("bulwark-cosigned") + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: false);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string strangerPub = WriteKey(stranger.ExportSubjectPublicKeyInfoPem());
        await using (var signer = await DaemonInstance.StartAsync(DaemonJsonTrustOff))
        {
            Assert.Equal(0, (await signer.DockerAsync("pull", image)).ExitCode);
            var first = await signer.CliAsync("image", "sign", "--format", "cosign", "--key", WriteKey(stranger.ExportPkcs8PrivateKeyPem()), image);
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Contains($"{lab.Repo("bulwark-cosigned")}:{digest.Replace(':', '-')}.sig", first.Stdout, StringComparison.Ordinal);
            var notYet = await signer.CliAsync("image", "verify", "--key", lab.CosignPublicKey, image);
            Assert.Equal(1, notYet.ExitCode);
            Assert.Contains("wrong-key", notYet.Stderr, StringComparison.Ordinal);

            var second = await signer.CliAsync("image", "sign", "--format", "cosign", "--key", WriteKey(lab.CosignKey.ExportECPrivateKeyPem()), image);
            Assert.True(second.ExitCode == 0, second.ToString());

            var ok = await signer.CliAsync("image", "verify", "--key", lab.CosignPublicKey, image);
            Assert.True(ok.ExitCode == 0, ok + signer.DaemonLog);
            Assert.Contains("verified (cosign signature)", ok.Stdout, StringComparison.Ordinal);
            var stillFirst = await signer.CliAsync("image", "verify", "--key", strangerPub, image);
            Assert.True(stillFirst.ExitCode == 0, stillFirst.ToString());
        }

        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.CosignPolicy()));
        var run = await d.DockerAsync("run", "--rm", "--network", "none", image, "cat", "/marker");
        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
    }

    [Fact]
    public async Task CosignSign_WithAnEncryptedCosignKeyOrAP384Key_FailsNamingTheCause_AndPushesNothing()
    {
        string image = lab.Repo("cosign-badkey") + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: false);
        await using var d = await DaemonInstance.StartAsync(DaemonJsonTrustOff);
        Assert.Equal(0, (await d.DockerAsync("pull", image)).ExitCode);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var encrypted = await d.CliAsync("image", "sign", "--format", "cosign", "--key",
            WriteKey("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), image);
        var wrongCurve = await d.CliAsync("image", "sign", "--format", "cosign", "--key", WriteKey(p384.ExportPkcs8PrivateKeyPem()), image);

        Assert.Equal(1, encrypted.ExitCode);
        Assert.Contains("cosign's encrypted key format is not supported", encrypted.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, wrongCurve.ExitCode);
        Assert.Contains("an ECDSA P-256 key is required", wrongCurve.Stderr, StringComparison.Ordinal);
        using var http = new HttpClient();
        using var sig = await http.GetAsync(new Uri($"http://{lab.Registry.Host}/v2/signed/cosign-badkey/manifests/{digest.Replace(':', '-')}.sig"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, sig.StatusCode);
    }
}
