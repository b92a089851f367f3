using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>
/// Attack A14 against the real notary-server: a tag signed only into a delegation other than <c>targets/releases</c>
/// (here <c>targets/alice</c>, with <c>notary addhash --roles</c>) is not a signature the daemon accepts, as the docker CLI
/// ignores such delegations for pulls; a tag in <c>targets/releases</c> of the same repository still is.
/// </summary>
[Collection(ContentTrustCollection.Name)]
public sealed class DelegationOnlyTagTests(ContentTrustFixture fx)
{
    private const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";
    private const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";

    [Fact]
    public async Task Enforced_TagSignedOnlyIntoAnotherDelegation_IsRefusedAsUnsigned() // A14
    {
        string repo = $"{fx.Registry.Host}/team/alice-only";
        await fx.PushSignedAsync(repo + ":init");
        string keyDir = Path.Combine(fx.SignerConfig, "alice-a14-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(keyDir);
        var generate = await fx.SignerDockerAsync(trust: false, "trust", "key", "generate", "alice", "--dir", keyDir);
        Assert.True(generate.ExitCode == 0, generate.ToString());
        var add = await fx.SignerDockerAsync(trust: false, "trust", "signer", "add", "--key", Path.Combine(keyDir, "alice.pub"), "alice", repo);
        Assert.True(add.ExitCode == 0, add + fx.Notary.Log);
        string digest = await fx.PushUnsignedAsync(repo + ":aliceonly");
        await AddHashToDelegationAsync(repo, "aliceonly", digest, "targets/alice");
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var pull = await d.DockerAsync("pull", repo + ":aliceonly");
        Assert.True(pull.ExitCode != 0, pull + d.DaemonLog);
        Assert.Contains($"content trust: {repo}:aliceonly: no-trust-data", pull.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await d.DockerAsync("images", "-q")).Stdout.Trim());
        var signed = await d.DockerAsync("pull", repo + ":init");
        Assert.True(signed.ExitCode == 0, signed + d.DaemonLog);
    }

    /// <summary>Signs <paramref name="tag"/> as <paramref name="digest"/> into <paramref name="role"/> only, with the notary CLI and the docker CLI's keys.</summary>
    private async Task AddHashToDelegationAsync(string gun, string tag, string digest, string role)
    {
        using var http = new HttpClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, $"http://{fx.Registry.Host}/v2/{gun[(fx.Registry.Host.Length + 1)..]}/manifests/{digest}");
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ManifestType));
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciManifestType));
        using var answer = await http.SendAsync(get);
        byte[] bytes = await answer.Content.ReadAsByteArrayAsync();
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
        var addhash = await ProcessRunner.RunAsync("/usr/bin/notary",
            ["-d", Path.Combine(fx.SignerConfig, "trust"), "-s", fx.Notary.Url, "--tlscacert", fx.Notary.CaFile,
             "addhash", gun, tag, bytes.Length.ToString(CultureInfo.InvariantCulture), "--sha256", digest["sha256:".Length..], "--roles", role, "-p"],
            new Dictionary<string, string>
            {
                ["NOTARY_ROOT_PASSPHRASE"] = ContentTrustFixture.RootPassphrase,
                ["NOTARY_TARGETS_PASSPHRASE"] = ContentTrustFixture.RepositoryPassphrase,
                ["NOTARY_SNAPSHOT_PASSPHRASE"] = ContentTrustFixture.RepositoryPassphrase,
                ["NOTARY_DELEGATION_PASSPHRASE"] = ContentTrustFixture.RepositoryPassphrase,
            }, timeout: TimeSpan.FromSeconds(120));
        Assert.True(addhash.ExitCode == 0, addhash + fx.Notary.Log);
        var list = await ProcessRunner.RunAsync("/usr/bin/notary",
            ["-d", Path.Combine(fx.SignerConfig, "trust"), "-s", fx.Notary.Url, "--tlscacert", fx.Notary.CaFile, "list", gun, "--roles", role],
            new Dictionary<string, string>(), timeout: TimeSpan.FromSeconds(60));
        Assert.True(list.ExitCode == 0 && list.Stdout.Contains(tag, StringComparison.Ordinal), list.ToString());
    }
}
