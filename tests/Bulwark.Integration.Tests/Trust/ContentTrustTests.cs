using System.Globalization;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>
/// Content trust enforced by bulwarkd against real Notary v1 data: images signed by <c>DOCKER_CONTENT_TRUST=1 docker push</c>
/// (docker CLI 28, notary-server 0.7) are pulled and run by a daemon whose daemon.json pins the signer's root; everything
/// else is refused with a 403 naming the image, the rule and the reason, through the plain docker CLI (no DCT on the client).
/// </summary>
[Collection(ContentTrustCollection.Name)]
public sealed class ContentTrustTests(ContentTrustFixture fx)
{
    private string Repo(string name) => $"{fx.Registry.Host}/team/{name}";

    [Fact]
    public async Task Enforced_RootKeyWildcardPin_PullsAndRunsTheDigestDockerSigned()
    {
        string image = Repo("app") + ":signed";
        string digest = await fx.PushSignedAsync(image);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", image, "cat", "/marker");
        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
        Assert.False(string.IsNullOrWhiteSpace(run.Stdout));
        var digests = await d.DockerAsync("image", "inspect", "--format", "{{json .RepoDigests}}", image);
        Assert.Contains($"{Repo("app")}@{digest}", digests.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_CertIdPin_AcceptsTheRootCertificateDockerTrustInspectShows()
    {
        string image = Repo("certpinned") + ":v1";
        string digest = await fx.PushSignedAsync(image);
        string certId = await fx.RootCertIdAsync(Repo("certpinned"));
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", certIds: $$"""{"{{Repo("certpinned")}}": ["{{certId}}"]}"""));

        var pull = await d.DockerAsync("pull", image);
        Assert.True(pull.ExitCode == 0, pull + d.DaemonLog);
        Assert.Contains("Digest: " + digest, pull.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_TagSignedIntoTargetsReleasesByADockerTrustSigner_IsAccepted()
    {
        string repo = Repo("delegated");
        await fx.PushSignedAsync(repo + ":init");
        string keyDir = Path.Combine(fx.SignerConfig, "alice-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(keyDir);
        var generate = await fx.SignerDockerAsync(trust: false, "trust", "key", "generate", "alice", "--dir", keyDir);
        Assert.True(generate.ExitCode == 0, generate.ToString());
        var add = await fx.SignerDockerAsync(trust: false, "trust", "signer", "add", "--key", Path.Combine(keyDir, "alice.pub"), "alice", repo);
        Assert.True(add.ExitCode == 0, add + fx.Notary.Log);
        await fx.ImportUniqueAsync(repo + ":rel1");
        var sign = await fx.SignerDockerAsync(trust: false, "trust", "sign", repo + ":rel1");
        Assert.True(sign.ExitCode == 0, sign + fx.Notary.Log);
        var inspect = await fx.SignerDockerAsync(trust: false, "trust", "inspect", repo + ":rel1");
        string digest = "sha256:" + System.Text.Json.JsonDocument.Parse(inspect.Stdout).RootElement[0].GetProperty("SignedTags")[0].GetProperty("Digest").GetString();
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var pull = await d.DockerAsync("pull", repo + ":rel1");
        Assert.True(pull.ExitCode == 0, pull + d.DaemonLog);
        Assert.Contains("Digest: " + digest, pull.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulwarkTrustInspect_ShowsTheSignedDigestAndTheRootKeyDockerTrustInspectShows()
    {
        string repo = Repo("inspected");
        string digest = await fx.PushSignedAsync(repo + ":v1");
        string certId = await fx.RootCertIdAsync(repo);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var inspect = await d.CliAsync("trust", "inspect", repo);
        Assert.True(inspect.ExitCode == 0, inspect + d.DaemonLog);
        using var doc = System.Text.Json.JsonDocument.Parse(inspect.Stdout);
        var tag = doc.RootElement[0].GetProperty("SignedTags")[0];
        Assert.Equal("v1", tag.GetProperty("SignedTag").GetString());
        Assert.Equal(digest["sha256:".Length..], tag.GetProperty("Digest").GetString());
        Assert.Contains(certId, inspect.Stdout, StringComparison.Ordinal);
        var pretty = await d.CliAsync("trust", "inspect", "--pretty", repo);
        Assert.Contains($"Pinned by:\ttrust-pinning.root-keys[\"{fx.Registry.Host}/team/*\"] (content trust enforced)", pretty.Stdout, StringComparison.Ordinal);

        var unpinned = await d.CliAsync("trust", "inspect", $"{fx.Registry.Host}/elsewhere/x");
        Assert.Equal(1, unpinned.ExitCode);
        Assert.Contains("not-pinned", unpinned.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_UnsignedTag_IsRefusedWithNoTrustDataAndTheRule()
    {
        string repo = Repo("mixed");
        await fx.PushSignedAsync(repo + ":signed");
        await fx.PushUnsignedAsync(repo + ":unsigned");
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var pull = await d.DockerAsync("pull", repo + ":unsigned");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"content trust: {repo}:unsigned: no-trust-data: no valid trust data for unsigned", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains($"rule trust-pinning.root-keys[\"{fx.Registry.Host}/team/*\"]", pull.Stderr, StringComparison.Ordinal);
        var run = await d.DockerAsync("run", "--rm", repo + ":unsigned", "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains("no-trust-data", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await d.DockerAsync("images", "-q")).Stdout.Trim());
    }

    [Fact]
    public async Task Enforced_RepositoryOutsideEveryPin_IsRefusedAsNotPinned()
    {
        string image = $"{fx.Registry.Host}/elsewhere/app:signed";
        await fx.PushSignedAsync(image);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var pull = await d.DockerAsync("pull", image);
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"content trust: {image}: not-pinned: no trust-pinning rule covers {fx.Registry.Host}/elsewhere/app", pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_WrongRootKeyPinned_IsRefusedAsWrongRoot()
    {
        string image = Repo("wrongroot") + ":v1";
        await fx.PushSignedAsync(image);
        string other = new('a', 64);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{Repo("wrongroot")}}": ["{{other}}"]}"""));

        var pull = await d.DockerAsync("pull", image);
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains($"content trust: {image}: wrong-root: could not validate the path to a trusted root", pull.Stderr, StringComparison.Ordinal);
        Assert.Contains(fx.RootKeyId(), pull.Stderr, StringComparison.Ordinal);
        Assert.Contains($"rule trust-pinning.root-keys[\"{Repo("wrongroot")}\"]", pull.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_CreateOfATagWithTheDigestOfAnotherSignedTag_IsRefusedAsDigestMismatch() // A15
    {
        string repo = Repo("disagree");
        string v1 = await fx.PushSignedAsync(repo + ":v1");
        string v2 = await fx.PushSignedAsync(repo + ":v2");
        Assert.NotEqual(v1, v2);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        // Over the Docker API a pull of NAME:TAG@DIGEST is a pull by digest (the client drops the tag): v2's digest is
        // signed, so it is pulled. What names both, a create, must not run v2's content under v1's signed tag.
        var pull = await d.DockerAsync("pull", $"{repo}@{v2}");
        Assert.True(pull.ExitCode == 0, pull + d.DaemonLog);
        var create = await d.DockerAsync("create", $"{repo}:v1@{v2}", "true");
        Assert.True(create.ExitCode != 0, create + d.DaemonLog);
        Assert.Contains($"signed digest {v1} does not match provided digest {v2}", create.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await d.DockerAsync("ps", "-aq")).Stdout.Trim());
        var signed = await d.DockerAsync("create", $"{repo}:v2@{v2}", "true");
        Assert.True(signed.ExitCode == 0, signed + d.DaemonLog);
    }

    [Fact]
    public async Task Enforced_UnsignedPushOverASignedTag_StillPullsAndRunsTheSignedDigest()
    {
        string image = Repo("moved") + ":v1";
        string signed = await fx.PushSignedAsync(image);
        string moved = await fx.PushUnsignedAsync(image);
        Assert.NotEqual(signed, moved);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var pull = await d.DockerAsync("pull", image);
        Assert.True(pull.ExitCode == 0, pull + d.DaemonLog);
        Assert.Contains("Digest: " + signed, pull.Stdout, StringComparison.Ordinal);
        var digests = await d.DockerAsync("image", "inspect", "--format", "{{json .RepoDigests}}", image);
        Assert.Contains(signed, digests.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(moved, digests.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enforced_TamperedManifestInTheRegistry_NeverReachesTheStore()
    {
        string image = Repo("tampered") + ":v1";
        string digest = await fx.PushSignedAsync(image);
        string blob = fx.Registry.BlobDataPath(digest);
        byte[] bytes = await File.ReadAllBytesAsync(blob);
        string text = System.Text.Encoding.UTF8.GetString(bytes).Replace("\"size\":", "\"size\": ", StringComparison.Ordinal);
        await File.WriteAllTextAsync(blob, text);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var pull = await d.DockerAsync("pull", image);
        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("digest mismatch", pull.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await d.DockerAsync("images", "-q")).Stdout.Trim());
    }

    [Fact]
    public async Task Enforced_LoadAndImportOfUnsignedContent_AreRefused()
    {
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var import = await d.DockerAsync("import", fx.RootfsTar, "local/unsigned:1");
        Assert.Equal(1, import.ExitCode);
        Assert.Contains("content trust: import: no-trust-data: import creates unsigned images", import.Stderr, StringComparison.Ordinal);
        string archive = Path.Combine(d.Root, "saved.tar");
        var save = await fx.Publisher.DockerAsync("save", "-o", archive, Repo("app") + ":signed");
        if (save.ExitCode != 0)
        {
            await fx.PushSignedAsync(Repo("app") + ":signed");
            save = await fx.Publisher.DockerAsync("save", "-o", archive, Repo("app") + ":signed");
        }

        Assert.True(save.ExitCode == 0, save.ToString());
        var load = await d.DockerAsync("load", "-i", archive);
        Assert.Equal(1, load.ExitCode);
        Assert.Contains("content trust: load: no-trust-data", load.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await d.DockerAsync("images", "-q")).Stdout.Trim());
    }

    [Fact]
    public async Task Enforced_ContainerOfAnUnsignedImage_CannotStartOnceTrustIsOn()
    {
        string image = Repo("before") + ":unsigned";
        await fx.PushUnsignedAsync(image);
        await using var d = await DaemonInstance.StartAsync("{}");
        Assert.Equal(0, (await d.DockerAsync("pull", image)).ExitCode);
        var create = await d.DockerAsync("create", "--name", "old", "--network", "none", image, "true");
        Assert.True(create.ExitCode == 0, create.ToString());

        await File.WriteAllTextAsync(Path.Combine(d.Root, "daemon.json"),
            fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));
        await d.RestartAsync();
        var start = await d.DockerAsync("start", "old");
        Assert.Equal(1, start.ExitCode);
        Assert.Contains($"content trust: {Repo("before")}@sha256:", start.Stderr, StringComparison.Ordinal);
        Assert.Contains(": no-trust-data: ", start.Stderr, StringComparison.Ordinal);
        var state = await d.DockerAsync("inspect", "--format", "{{.State.Status}}", "old");
        Assert.Equal("created", state.Stdout.Trim());
    }

    [Fact]
    public async Task Enforced_RestartOfARunningUnsignedContainer_IsRefusedAtItsStart()
    {
        string image = Repo("restarted") + ":unsigned";
        await fx.PushUnsignedAsync(image);
        await using var d = await DaemonInstance.StartAsync("{}");
        Assert.Equal(0, (await d.DockerAsync("pull", image)).ExitCode);
        var run = await d.DockerAsync("run", "-d", "--name", "svc", "--network", "none", image, "sleep", "600");
        Assert.True(run.ExitCode == 0, run.ToString());

        await File.WriteAllTextAsync(Path.Combine(d.Root, "daemon.json"),
            fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));
        await d.RestartAsync();
        var restart = await d.DockerAsync("restart", "-t", "0", "svc");
        Assert.NotEqual(0, restart.ExitCode);
        Assert.Contains(": no-trust-data: ", restart.Stderr, StringComparison.Ordinal);
        Assert.Equal("exited", (await d.DockerAsync("inspect", "--format", "{{.State.Status}}", "svc")).Stdout.Trim());
    }

    [Fact]
    public async Task Permissive_UnsignedPullIsAllowed_ButLoggedAndPublishedAsAnEvent()
    {
        string image = Repo("permissive") + ":unsigned";
        await fx.PushUnsignedAsync(image);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("permissive", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));
        string since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        var run = await d.DockerAsync("run", "--rm", "--network", "none", image, "true");
        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
        string until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var events = await d.DockerAsync("events", "--since", since, "--until", until, "--filter", "type=image",
            "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.operation}} {{.Actor.Attributes.reason}}");
        Assert.Contains($"trust-violation {image} pull no-trust-data", events.Stdout, StringComparison.Ordinal);
        Assert.Contains($"trust-violation {image} create no-trust-data", events.Stdout, StringComparison.Ordinal);
        Assert.Contains("pull allowed by permissive content trust despite: content trust: " + image, d.DaemonLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadContentTrustConfig_StopsTheDaemonNamingTheKey()
    {
        string root = Path.Combine("/tmp", "bwtc-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            string config = Path.Combine(root, "daemon.json");
            await File.WriteAllTextAsync(config, """{"content-trust": {"mode": "enforced", "trust-pinning": {"root-keys": {"r.example/team/*": []}}}}""");
            var result = await ProcessRunner.RunAsync(RepoPaths.Daemon, ["--config", config, "--data-root", root + "/d", "--exec-root", root + "/x", "--host", $"unix://{root}/s.sock"]);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("content-trust.trust-pinning.root-keys[\"r.example/team/*\"]", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("an empty pin is not allowed", result.Stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(root + "/d"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
