using System.Security.Cryptography;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust.Policy;

/// <summary>
/// policy.json <c>sigstoreSigned</c> with the cosign signature attached only as an OCI 1.1 referrer (no <c>.sig</c> tag): the
/// local docker-registry 2.8 answers 404 to the referrers API, so bulwarkd must find it through the referrers tag schema.
/// Accepted with the trusted key (the image runs), refused with another key, and refused when the payload names another
/// digest (A11).
/// </summary>
[Collection(SignedImageCollection.Name)]
public sealed class CosignReferrerPolicyTests(SignedImageLab lab)
{
    private async Task<(string Image, string Digest)> PushAsync(string name, Func<string, string> payloadDigest, ECDsa key)
    {
        string image = lab.Repo(name) + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: false);
        long size = new FileInfo(Path.Combine(dir, "manifest.json")).Length;
        await CosignReferrer.AttachAsync(lab.Registry.Host, "signed/" + name, digest, size, payloadDigest(digest), lab.Repo(name), key);
        return (image, digest);
    }

    [Fact]
    public async Task ReferrerSignature_WithTheTrustedKey_IsAcceptedAndTheImageRuns()
    {
        var (image, digest) = await PushAsync("referred", d => d, lab.CosignKey);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.CosignPolicy()));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", image, "cat", "/marker");

        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
        Assert.Contains(digest, (await d.DockerAsync("image", "inspect", "--format", "{{json .RepoDigests}}", image)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferrerSignature_ByAnotherKey_IsRefusedAsWrongKey()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (image, _) = await PushAsync("referred-otherkey", d => d, stranger);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.CosignPolicy()));

        var pull = await d.DockerAsync("pull", image);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains($"content trust: {image}: wrong-key: cosign signature does not verify", pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A11_ReferrerPayloadNamingAnotherDigest_IsRefusedAsDigestMismatch()
    {
        string other = "sha256:" + new string('1', 64);
        var (image, digest) = await PushAsync("referred-a11", _ => other, lab.CosignKey);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.CosignPolicy()));

        var pull = await d.DockerAsync("pull", image);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains($"content trust: {image}: digest-mismatch: signature for digest {other} does not match {digest}", pull.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(image, (await d.DockerAsync("images", "--format", "{{.Repository}}:{{.Tag}}")).Stdout, StringComparison.Ordinal);
    }
}
