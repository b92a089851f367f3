using System.Globalization;
using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>
/// <c>bulwark trust sign|revoke|signer</c> publish to the real notary-server, interoperating both ways: what bulwark signs,
/// <c>docker trust inspect</c>, <c>notary list</c> (pinned to bulwark's root certificate, TOFU off), <c>DOCKER_CONTENT_TRUST=1
/// docker pull</c> and an enforced bulwarkd accept; what the docker CLI signed and delegated, bulwark revokes and un-delegates,
/// and the docker CLI sees the change.
/// </summary>
[Collection(ContentTrustCollection.Name)]
public sealed class TrustPublishTests(ContentTrustFixture fx)
{
    private string Repo(string name) => $"{fx.Registry.Host}/team/{name}";

    [Fact]
    public async Task BulwarkTrustSign_NewRepository_IsAcceptedByDockerNotaryAndEnforcedBulwarkd_AndRevokeMakesItRefused()
    {
        string repo = Repo("bulwarksigned");
        string config = NewConfig("own");
        await fx.ImportUniqueAsync(repo + ":v1");

        var sign = await BulwarkAsync(config, "trust", "sign", repo + ":v1");
        Assert.True(sign.ExitCode == 0, sign + fx.Notary.Log);
        Assert.Contains($"Successfully signed {repo}:v1", sign.Stdout, StringComparison.Ordinal);
        string digest = sign.Stdout.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("v1: digest: ", StringComparison.Ordinal))
            .Split(' ')[2];
        string rootKeyId = RootKeyId(config);

        // docker trust inspect, from a fresh config (TOFU on first sight).
        string verifier = NewConfig("verifier");
        var inspect = await DockerAsync(verifier, fx.Publisher.Host, trust: false, "trust", "inspect", repo);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var doc = JsonDocument.Parse(inspect.Stdout);
        var tag = doc.RootElement[0].GetProperty("SignedTags")[0];
        Assert.Equal("v1", tag.GetProperty("SignedTag").GetString());
        Assert.Equal(digest["sha256:".Length..], tag.GetProperty("Digest").GetString());
        string certId = doc.RootElement[0].GetProperty("AdministrativeKeys").EnumerateArray()
            .First(k => k.GetProperty("Name").GetString() == "Root").GetProperty("Keys")[0].GetProperty("ID").GetString()!;

        // notary list, pinned to bulwark's root certificate with TOFU off.
        string notaryDir = NewConfig("notary");
        string notaryConfig = Path.Combine(notaryDir, "config.json");
        await File.WriteAllTextAsync(notaryConfig, $$$"""
            {"trust_dir": "{{{notaryDir}}}", "remote_server": {"url": "{{{fx.Notary.Url}}}", "root_ca": "{{{fx.Notary.CaFile}}}"},
             "trust_pinning": {"certs": {"{{{repo}}}": ["{{{certId}}}"]}, "disable_tofu": true}}
            """);
        var list = await ProcessRunner.RunAsync("/usr/bin/notary", ["-c", notaryConfig, "list", repo]);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("v1", list.Stdout, StringComparison.Ordinal);
        Assert.Contains(digest["sha256:".Length..], list.Stdout, StringComparison.Ordinal);

        // DOCKER_CONTENT_TRUST=1 docker pull through a fresh bulwarkd, and bulwarkd enforcing a pin on bulwark's root key.
        string pin = $$"""{"{{repo}}": ["{{rootKeyId}}"]}""";
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: pin));
        var pull = await DockerAsync(verifier, d.Host, trust: true, "pull", repo + ":v1");
        Assert.True(pull.ExitCode == 0, pull + d.DaemonLog);
        Assert.Contains($"{repo}:v1@{digest}", pull.Stdout, StringComparison.Ordinal);
        var run = await d.DockerAsync("run", "--rm", "--network", "none", repo + ":v1", "cat", "/marker");
        Assert.True(run.ExitCode == 0, run + d.DaemonLog);

        var revoke = await BulwarkAsync(config, "trust", "revoke", repo + ":v1");
        Assert.True(revoke.ExitCode == 0, revoke + fx.Notary.Log);
        var refused = await d.DockerAsync("run", "--rm", "--network", "none", repo + ":v1", "true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains("no-trust-data", refused.Stderr, StringComparison.Ordinal);
        var after = await DockerAsync(verifier, fx.Publisher.Host, trust: false, "trust", "inspect", repo);
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal(0, JsonDocument.Parse(after.Stdout).RootElement[0].GetProperty("SignedTags").GetArrayLength());
    }

    [Fact]
    public async Task DockerSignedDelegations_AreRevokedAndRemovedByBulwark_AndBulwarkSignsIntoReleasesForItsSigner()
    {
        string repo = Repo("sharedkeys");
        await fx.PushSignedAsync(repo + ":init");
        string keys = NewConfig("pubkeys");
        var alice = await fx.SignerDockerAsync(trust: false, "trust", "key", "generate", "alice", "--dir", keys);
        Assert.True(alice.ExitCode == 0, alice.ToString());
        var add = await fx.SignerDockerAsync(trust: false, "trust", "signer", "add", "--key", Path.Combine(keys, "alice.pub"), "alice", repo);
        Assert.True(add.ExitCode == 0, add + fx.Notary.Log);
        await fx.ImportUniqueAsync(repo + ":rel");
        var dockerSign = await fx.SignerDockerAsync(trust: false, "trust", "sign", repo + ":rel");
        Assert.True(dockerSign.ExitCode == 0, dockerSign + fx.Notary.Log);
        Assert.Contains("rel", await SignedTagsAsync(repo), StringComparison.Ordinal);

        // bulwark revokes what docker trust sign made (targets/releases and targets/alice), with the keys both tools share.
        var revoke = await BulwarkAsync(fx.SignerConfig, "trust", "revoke", repo + ":rel");
        Assert.True(revoke.ExitCode == 0, revoke + fx.Notary.Log);
        Assert.DoesNotContain("\"rel\"", await SignedTagsAsync(repo), StringComparison.Ordinal);

        // bulwark adds a signer whose key it generated, and signs into targets/releases with it.
        var generate = await BulwarkAsync(fx.SignerConfig, "trust", "key", "generate", "bob", "--dir", keys);
        Assert.True(generate.ExitCode == 0, generate.ToString());
        var addBob = await BulwarkAsync(fx.SignerConfig, "trust", "signer", "add", "--key", Path.Combine(keys, "bob.pub"), "bob", repo);
        Assert.True(addBob.ExitCode == 0, addBob + fx.Notary.Log);
        var removeAlice = await BulwarkAsync(fx.SignerConfig, "trust", "signer", "remove", "alice", repo);
        Assert.True(removeAlice.ExitCode == 0, removeAlice + fx.Notary.Log);
        await fx.ImportUniqueAsync(repo + ":bobs");
        var bobSigns = await BulwarkAsync(fx.SignerConfig, "trust", "sign", repo + ":bobs");
        Assert.True(bobSigns.ExitCode == 0, bobSigns + fx.Notary.Log);

        var inspect = await fx.SignerDockerAsync(trust: false, "trust", "inspect", repo);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var doc = JsonDocument.Parse(inspect.Stdout);
        var signers = doc.RootElement[0].GetProperty("Signers").EnumerateArray().Select(s => s.GetProperty("Name").GetString()).ToList();
        Assert.Contains("bob", signers);
        Assert.DoesNotContain("alice", signers);
        var bobs = doc.RootElement[0].GetProperty("SignedTags").EnumerateArray().Single(t => t.GetProperty("SignedTag").GetString() == "bobs");
        Assert.Contains("bob", bobs.GetProperty("Signers").EnumerateArray().Select(s => s.GetString()));

        // The docker CLI pulls through targets/releases what bulwark signed there.
        var pull = await fx.SignerDockerAsync(trust: true, "pull", repo + ":bobs");
        Assert.True(pull.ExitCode == 0, pull + fx.Notary.Log);
    }

    [Fact]
    public async Task TrustSign_WithoutATagOrWithAnHttpServer_FailsNamingTheCause()
    {
        string config = NewConfig("bad");
        var noTag = await BulwarkAsync(config, "trust", "sign", Repo("x"));
        Assert.Equal(1, noTag.ExitCode);
        Assert.Contains("no tag specified", noTag.Stderr, StringComparison.Ordinal);
        var http = await BulwarkAsync(config, "trust", "revoke", Repo("x") + ":1", "--server", "http://127.0.0.1:1");
        Assert.Equal(1, http.ExitCode);
        Assert.Contains("valid https URL required for trust server", http.Stderr, StringComparison.Ordinal);
        var noData = await BulwarkAsync(config, "trust", "revoke", Repo("neversigned") + ":1");
        Assert.Equal(1, noData.ExitCode);
        Assert.Contains("has no trust data", noData.Stderr, StringComparison.Ordinal);
    }

    private async Task<string> SignedTagsAsync(string repo)
    {
        var inspect = await fx.SignerDockerAsync(trust: false, "-D", "trust", "inspect", repo);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using var doc = JsonDocument.Parse(inspect.Stdout);
        return doc.RootElement[0].GetProperty("SignedTags").GetRawText();
    }

    /// <summary>A fresh DOCKER_CONFIG that trusts the lab's notary CA (as $DOCKER_CONFIG/tls/&lt;host:port&gt;/ca.crt).</summary>
    private string NewConfig(string name)
    {
        string config = Path.Combine(fx.Publisher.Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        string tls = Path.Combine(config, "tls", "127.0.0.1:" + fx.Notary.Port.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(tls);
        File.Copy(fx.Notary.CaFile, Path.Combine(tls, "ca.crt"));
        return config;
    }

    private static string RootKeyId(string config) =>
        Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(config, "trust", "private"), "*.key")
            .Single(f => File.ReadAllText(f).Contains("role: root", StringComparison.Ordinal)));

    private Task<CommandResult> BulwarkAsync(string config, params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.Cli, args, new Dictionary<string, string>
        {
            ["BULWARK_HOST"] = fx.Publisher.Host,
            ["DOCKER_CONFIG"] = config,
            ["DOCKER_CONTENT_TRUST_SERVER"] = fx.Notary.Url,
            ["DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE"] = ContentTrustFixture.RootPassphrase,
            ["DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE"] = ContentTrustFixture.RepositoryPassphrase,
        }, timeout: TimeSpan.FromSeconds(120));

    private Task<CommandResult> DockerAsync(string config, string host, bool trust, params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.DockerCli, args, new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = host,
            ["DOCKER_CONFIG"] = config,
            ["DOCKER_CONTENT_TRUST"] = trust ? "1" : "0",
            ["DOCKER_CONTENT_TRUST_SERVER"] = fx.Notary.Url,
        }, timeout: TimeSpan.FromSeconds(120));
}
