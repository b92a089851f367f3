using System.Globalization;
using System.Security.Cryptography;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust.Policy;

/// <summary>
/// daemon.json <c>content-trust.policy</c> (containers-policy.json) enforced by bulwarkd against signatures made by real tools:
/// skopeo's GPG simple signing in a registries.d lookaside, and cosign signatures attached in the registry as the
/// <c>sha256-&lt;hex&gt;.sig</c> tag (written by skopeo). Refusals are 403s naming the image, the policy scope and the reason,
/// shown by the plain docker CLI; permissive mode lets the same images through with a warning and a trust-violation event.
/// </summary>
[Collection(SignedImageCollection.Name)]
public sealed class SignaturePolicyTests(SignedImageLab lab)
{
    private string Scope => $"policy.json transports.docker[\"{lab.Registry.Host}/signed\"]";

    [Fact]
    public async Task Enforced_SkopeoGpgSignedImage_IsPulledAndRun()
    {
        string image = lab.Repo("gpg") + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: true);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.SignedByPolicy()));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", image, "cat", "/marker");

        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
        Assert.False(string.IsNullOrWhiteSpace(run.Stdout));
        var digests = await d.DockerAsync("image", "inspect", "--format", "{{json .RepoDigests}}", image);
        Assert.Contains($"{lab.Repo("gpg")}@{digest}", digests.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_UnsignedImage_IsRefusedWith403NamingImageScopeAndReason_AndNothingIsStored()
    {
        string image = lab.Repo("unsigned") + ":v1";
        var (dir, _) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: false);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.SignedByPolicy()));

        var pull = await d.DockerAsync("pull", image);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains($"content trust: {image}: no-signature: a signature was required", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains($"(rule {Scope})", pull.Stderr, StringComparison.Ordinal);
        var ls = await d.DockerAsync("image", "ls", "-q");
        Assert.Equal("", ls.Stdout.Trim());
    }

    [Fact]
    public async Task Enforced_SignatureByAKeyThePolicyDoesNotName_IsRefusedAsWrongKey()
    {
        string image = lab.Repo("otherkey") + ":v1";
        var (dir, _) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: true);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.SignedByPolicy(lab.OtherKeyring)));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", image, "true");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"content trust: {image}: wrong-key:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A11_GpgSignatureCopiedIntoAnotherDigestsDirectory_IsRefusedEnforced_AndAllowedButLoggedPermissive()
    {
        string signed = lab.Repo("a11") + ":signed", victim = lab.Repo("a11") + ":forged";
        var (signedDir, signedDigest) = await lab.BuildImageAsync();
        await lab.PushAsync(signedDir, signed, sign: true);
        var (forgedDir, forgedDigest) = await lab.BuildImageAsync();
        await lab.PushAsync(forgedDir, victim, sign: false);
        string to = lab.LookasideFolder(lab.Repo("a11"), forgedDigest);
        Directory.CreateDirectory(to);
        File.Copy(Path.Combine(lab.LookasideFolder(lab.Repo("a11"), signedDigest), "signature-1"), Path.Combine(to, "signature-1"));

        await using (var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.SignedByPolicy())))
        {
            var pull = await d.DockerAsync("pull", victim);
            Assert.NotEqual(0, pull.ExitCode);
            Assert.Contains($"content trust: {victim}: digest-mismatch: signature for digest {signedDigest} does not match {forgedDigest}", pull.Stderr,
                StringComparison.Ordinal);
        }

        await using var p = await DaemonInstance.StartAsync(lab.DaemonJson("permissive", lab.SignedByPolicy()));
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var allowed = await p.DockerAsync("pull", victim);
        Assert.True(allowed.ExitCode == 0, allowed + p.DaemonLog);
        string until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var events = await p.DockerAsync("events", "--since", since, "--until", until, "--filter", "type=image",
            "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.operation}} {{.Actor.Attributes.reason}}");
        Assert.Contains($"trust-violation {victim} pull digest-mismatch", events.Stdout, StringComparison.Ordinal);
        Assert.Contains("pull allowed by permissive content trust despite: content trust: " + victim, p.DaemonLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A13_SignatureForV1_IsRefusedForV2OfTheSameDigest_AtPullAndAtRun()
    {
        string repo = lab.Repo("a13");
        var (dir, _) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, repo + ":v1", sign: true);
        await lab.PushAsync(dir, repo + ":v2", sign: false); // same manifest, same digest: only the v1 identity is signed
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.SignedByPolicy()));

        var pull = await d.DockerAsync("pull", repo + ":v2");
        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains($"content trust: {repo}:v2: identity-mismatch: signature for identity {repo}:v1 is not accepted for {repo}:v2", pull.Stderr,
            StringComparison.Ordinal);

        var v1 = await d.DockerAsync("pull", repo + ":v1");
        Assert.True(v1.ExitCode == 0, v1 + d.DaemonLog);
        var tag = await d.DockerAsync("tag", repo + ":v1", repo + ":v2");
        Assert.True(tag.ExitCode == 0, tag.ToString());
        var run = await d.DockerAsync("run", "--rm", "--network", "none", repo + ":v2", "true");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("identity-mismatch", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MatchRepositoryIdentity_AcceptsTheV1SignatureForV2()
    {
        string repo = lab.Repo("matchrepo");
        var (dir, _) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, repo + ":v1", sign: true);
        await lab.PushAsync(dir, repo + ":v2", sign: false);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced",
            lab.SignedByPolicy(identity: """, "signedIdentity": {"type": "matchRepository"}""")));

        var pull = await d.DockerAsync("pull", repo + ":v2");

        Assert.True(pull.ExitCode == 0, pull + d.DaemonLog);
    }

    [Fact]
    public async Task Start_OfAContainerWhoseImageThePolicyNoLongerAccepts_IsRefused()
    {
        string image = lab.Repo("startcheck") + ":v1";
        var (dir, _) = await lab.BuildImageAsync();
        await lab.PushAsync(dir, image, sign: true);
        string root = Path.Combine("/tmp", "bwsp-" + Guid.NewGuid().ToString("N")[..8]);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.SignedByPolicy()), root);
        var create = await d.DockerAsync("create", "--name", "c1", "--network", "none", image, "true");
        Assert.True(create.ExitCode == 0, create + d.DaemonLog);
        await d.StopProcessAsync();
        await File.WriteAllTextAsync(Path.Combine(d.Root, "daemon.json"), lab.DaemonJson("enforced", lab.SignedByPolicy(lab.OtherKeyring)));
        await d.StartProcessAsync();

        var start = await d.DockerAsync("start", "c1");

        Assert.NotEqual(0, start.ExitCode);
        Assert.Contains("wrong-key", start.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cosign_AttachedSignature_IsAcceptedWithThePublicKey()
    {
        string image = lab.Repo("cosigned") + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        await lab.AddCosignSignatureAsync(dir, digest, lab.Repo("cosigned"));
        await lab.PushAsync(dir, image, sign: false);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.CosignPolicy()));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", image, "cat", "/marker");

        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
        Assert.Contains(digest, (await d.DockerAsync("image", "inspect", "--format", "{{json .RepoDigests}}", image)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A11_CosignPayloadNamingAnotherDigest_IsRefusedEnforced_AndAllowedPermissive()
    {
        string image = lab.Repo("cosign-a11") + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        string other = "sha256:" + new string('0', 64);
        await lab.AddCosignSignatureAsync(dir, other, lab.Repo("cosign-a11"));
        await lab.PushAsync(dir, image, sign: false);

        await using (var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.CosignPolicy())))
        {
            var pull = await d.DockerAsync("pull", image);
            Assert.NotEqual(0, pull.ExitCode);
            Assert.Contains($"content trust: {image}: digest-mismatch: signature for digest {other} does not match {digest}", pull.Stderr, StringComparison.Ordinal);
        }

        await using var p = await DaemonInstance.StartAsync(lab.DaemonJson("permissive", lab.CosignPolicy()));
        var allowed = await p.DockerAsync("pull", image);
        Assert.True(allowed.ExitCode == 0, allowed + p.DaemonLog);
        Assert.Contains("pull allowed by permissive content trust despite: content trust: " + image + ": digest-mismatch", p.DaemonLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cosign_SignatureByAnotherKey_IsRefusedAsWrongKey()
    {
        string image = lab.Repo("cosign-otherkey") + ":v1";
        var (dir, digest) = await lab.BuildImageAsync();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await lab.AddCosignSignatureAsync(dir, digest, lab.Repo("cosign-otherkey"), stranger);
        await lab.PushAsync(dir, image, sign: false);
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.CosignPolicy()));

        var pull = await d.DockerAsync("pull", image);

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains($"content trust: {image}: wrong-key: cosign signature does not verify", pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_LoadOfUnsignedContent_IsRefusedUnderAPolicyToo()
    {
        await using var d = await DaemonInstance.StartAsync(lab.DaemonJson("enforced", lab.SignedByPolicy()));
        string tar = Path.Combine(d.Root, "rootfs.tar");
        File.Copy(BusyboxImage.BuildRootfsTar(Path.Combine(d.Root, "bb")), tar);

        var import = await d.DockerAsync("import", tar, lab.Repo("imported") + ":v1");

        Assert.NotEqual(0, import.ExitCode);
        Assert.Contains("import creates unsigned images", import.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyWithFulcio_StopsTheDaemonNamingTheKey()
    {
        string config = Path.Combine(lab.Root, "fulcio-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(config);
        string json = lab.DaemonJson("enforced", lab.Policy("""{"type": "sigstoreSigned", "fulcio": {"caPath": "/ca.pem", "oidcIssuer": "https://o.example", "subjectEmail": "a@b"}}"""));
        await File.WriteAllTextAsync(Path.Combine(config, "daemon.json"), json);

        var result = await ProcessRunner.RunAsync(RepoPaths.Daemon, ["--config", Path.Combine(config, "daemon.json"), "--data-root", config + "/d",
            "--exec-root", config + "/x", "--host", $"unix://{config}/s.sock"], timeout: TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("\"content-trust.policy\"", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("sigstoreSigned \"fulcio\" is not supported", result.Stderr, StringComparison.Ordinal);
    }
}
