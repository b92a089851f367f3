using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Trust;

/// <summary>
/// A multi-platform image signed as its index (manifest list): the tag's signed digest is the index, the local image is the
/// linux/amd64 manifest the index lists. The index is built in the registry over two freshly pushed images and signed with
/// the notary CLI (<c>notary addhash</c> with the docker CLI's own keys), as a multi-arch <c>docker trust sign</c> would.
/// </summary>
[Collection(ContentTrustCollection.Name)]
public sealed class SignedIndexTests(ContentTrustFixture fx)
{
    private const string ListType = "application/vnd.docker.distribution.manifest.list.v2+json";
    private const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";
    private const string OciIndexType = "application/vnd.oci.image.index.v1+json";
    private const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";

    [Fact]
    public async Task Enforced_TagSignedAsAnIndex_RunsThePlatformManifestAndStartsAgainByImageId()
    {
        string repo = $"{fx.Registry.Host}/team/multi";
        await fx.PushSignedAsync(repo + ":init"); // the repository's trust data, with the signer's keys
        string amd64 = await fx.PushUnsignedAsync(repo + ":amd64");
        string arm64 = await fx.PushUnsignedAsync(repo + ":arm64");
        string index = await PutIndexAsync("team/multi", "multi", (amd64, "amd64"), (arm64, "arm64"));
        await SignAsync(repo, "multi", index);
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));

        var run = await d.DockerAsync("run", "--rm", "--network", "none", repo + ":multi", "cat", "/marker");
        Assert.True(run.ExitCode == 0, run + d.DaemonLog);
        Assert.False(string.IsNullOrWhiteSpace(run.Stdout));
        var digests = await d.DockerAsync("image", "inspect", "--format", "{{json .RepoDigests}}", repo + ":multi");
        Assert.Contains(amd64, digests.Stdout, StringComparison.Ordinal);

        string id = (await d.DockerAsync("image", "inspect", "--format", "{{.Id}}", repo + ":multi")).Stdout.Trim();
        var create = await d.DockerAsync("create", "--name", "byid", "--network", "none", id, "cat", "/marker");
        Assert.True(create.ExitCode == 0, create + d.DaemonLog);
        var start = await d.DockerAsync("start", "-a", "byid");
        Assert.True(start.ExitCode == 0, start + d.DaemonLog);
    }

    [Fact]
    public async Task Enforced_ImageOfAnotherPlatformManifestThanTheSignedIndexLists_IsRefused()
    {
        string repo = $"{fx.Registry.Host}/team/multiother";
        await fx.PushSignedAsync(repo + ":init");
        string amd64 = await fx.PushUnsignedAsync(repo + ":amd64");
        string index = await PutIndexAsync("team/multiother", "multi", (amd64, "amd64"));
        await SignAsync(repo, "multi", index);
        await fx.PushUnsignedAsync(repo + ":stray");
        await using var d = await DaemonInstance.StartAsync(fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));
        Assert.Equal(0, (await d.DockerAsync("pull", repo + ":multi")).ExitCode);

        // The unsigned manifest arrives under the signed tag's name only by a retag: create by that tag must refuse it.
        await File.WriteAllTextAsync(Path.Combine(d.Root, "daemon.json"), "{}");
        await d.RestartAsync();
        Assert.Equal(0, (await d.DockerAsync("pull", repo + ":stray")).ExitCode);
        Assert.Equal(0, (await d.DockerAsync("tag", repo + ":stray", repo + ":multi")).ExitCode);
        await File.WriteAllTextAsync(Path.Combine(d.Root, "daemon.json"),
            fx.DaemonJson("enforced", rootKeys: $$"""{"{{fx.Registry.Host}}/team/*": ["{{fx.RootKeyId()}}"]}"""));
        await d.RestartAsync();

        var run = await d.DockerAsync("run", "--rm", "--network", "none", repo + ":multi", "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains(": digest-mismatch: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("is not the signed digest " + index, run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>PUTs a Docker manifest list over the given (already pushed) linux manifests as <paramref name="tag"/>; returns its digest.</summary>
    private async Task<string> PutIndexAsync(string path, string tag, params (string Digest, string Arch)[] platforms)
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://" + fx.Registry.Host + "/") };
        var entries = new List<string>();
        bool oci = false;
        foreach (var (digest, arch) in platforms)
        {
            using var head = new HttpRequestMessage(HttpMethod.Head, $"v2/{path}/manifests/{digest}");
            head.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ManifestType));
            head.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciManifestType));
            using var answer = await http.SendAsync(head);
            Assert.True(answer.IsSuccessStatusCode, answer.ToString());
            long size = answer.Content.Headers.ContentLength ?? throw new InvalidOperationException("no Content-Length for " + digest);
            string type = answer.Content.Headers.ContentType?.MediaType ?? ManifestType;
            oci |= type == OciManifestType;
            entries.Add($$$"""{"mediaType":"{{{type}}}","size":{{{size.ToString(CultureInfo.InvariantCulture)}}},"digest":"{{{digest}}}","platform":{"architecture":"{{{arch}}}","os":"linux"}}""");
        }

        string listType = oci ? OciIndexType : ListType;
        byte[] body = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{listType}}","manifests":[{{string.Join(",", entries)}}]}""");
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(listType);
        using var put = await http.PutAsync($"v2/{path}/manifests/{tag}", content);
        Assert.True(put.IsSuccessStatusCode, put + await put.Content.ReadAsStringAsync());
        string digestOf = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
        Assert.Equal(digestOf, put.Headers.GetValues("Docker-Content-Digest").Single());
        return digestOf;
    }

    /// <summary>Signs <paramref name="tag"/> as <paramref name="digest"/> (size from the registry) in targets, with the notary CLI and the docker CLI's keys.</summary>
    private async Task SignAsync(string gun, string tag, string digest)
    {
        using var http = new HttpClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, $"http://{fx.Registry.Host}/v2/{gun[(fx.Registry.Host.Length + 1)..]}/manifests/{digest}");
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ListType));
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciIndexType));
        using var answer = await http.SendAsync(get);
        byte[] bytes = await answer.Content.ReadAsByteArrayAsync();
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
        var add = await ProcessRunner.RunAsync("/usr/bin/notary",
            ["-d", Path.Combine(fx.SignerConfig, "trust"), "-s", fx.Notary.Url, "--tlscacert", fx.Notary.CaFile,
             "addhash", gun, tag, bytes.Length.ToString(CultureInfo.InvariantCulture), "--sha256", digest["sha256:".Length..], "-p"],
            new Dictionary<string, string>
            {
                ["NOTARY_ROOT_PASSPHRASE"] = ContentTrustFixture.RootPassphrase,
                ["NOTARY_TARGETS_PASSPHRASE"] = ContentTrustFixture.RepositoryPassphrase,
                ["NOTARY_SNAPSHOT_PASSPHRASE"] = ContentTrustFixture.RepositoryPassphrase,
            }, timeout: TimeSpan.FromSeconds(120));
        Assert.True(add.ExitCode == 0, add + fx.Notary.Log);
    }
}
